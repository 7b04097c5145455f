/**
 * The channel's off-chain state as the FSM keeps it (aesc_offchain_state): the trees of the last
 * co-signed round, that round's tx, and at most one half-signed tx in flight. Falling back drops
 * the half-signed tx only, since the trees never move past the last co-signed round.
 */
import { applyUpdates, type Encoded, type OffChainState, type OffChainUpdate } from '@ch/codec';
import { decoded } from '../chain/decoded.js';

export interface SignedRound {
  readonly round: bigint;
  readonly tx: Encoded<'tx'>;
}

export class ChannelState {
  #trees: OffChainState;
  #signed: SignedRound | undefined;
  #halfSigned: Encoded<'tx'> | undefined;

  constructor(
    initial: OffChainState,
    readonly channelReserve: bigint,
  ) {
    this.#trees = initial;
  }

  /** The state of the last co-signed round (the initial state until the create tx is signed). */
  get trees(): OffChainState {
    return this.#trees;
  }

  /** The last co-signed tx and its round; undefined until the create tx is co-signed. */
  get signed(): SignedRound | undefined {
    return this.#signed;
  }

  get halfSigned(): Encoded<'tx'> | undefined {
    return this.#halfSigned;
  }

  get round(): bigint {
    return this.#signed?.round ?? 0n;
  }

  /** The state `updates` lead to from the last co-signed one; throws `UpdateRejectedError`. */
  apply(updates: readonly OffChainUpdate[]): OffChainState {
    return applyUpdates(this.#trees, updates, this.channelReserve);
  }

  setHalfSigned(tx: Encoded<'tx'>): void {
    this.#halfSigned = tx;
  }

  /** A co-signed tx becomes the latest state; `trees` is the state it hashes. */
  setSigned(tx: Encoded<'tx'>, trees: OffChainState): void {
    this.#signed = { round: roundOf(tx), tx };
    this.#trees = trees;
    this.#halfSigned = undefined;
  }

  fallback(): void {
    this.#halfSigned = undefined;
  }
}

/** The round a channel tx sets: the create tx founds round 1. */
export function roundOf(tx: Encoded<'tx'>): bigint {
  const { inner } = decoded(tx);
  return 'round' in inner ? inner.round : 1n;
}
