/**
 * A channel's co-signed states as the recordings show them: the updates each sign request lists
 * for its tx, applied round by round from a known state, and checked against each co-signed tx's
 * state hash. The start of a transcript that begins on an open channel is found with it, and so is
 * the node's state a client asks for that the recorded client never asked for.
 */
import { applyUpdates, encode, Tag, unpackTx, type Encoded, type OffChainState, type OffChainUpdate } from '@ch/codec';
import { OPERATIONS, type JsonValue, type OperationEntry } from '@ch/rpc';
import { innerKey } from './signed-tx.js';
import type { Json } from './transcript.js';

/** Sign requests whose tx sets a new off-chain round from the listed updates: those of the operations that end in one. */
export const ROUND_REQUESTS: ReadonlySet<string> = new Set(
  Object.values(OPERATIONS as Readonly<Record<string, OperationEntry>>).flatMap((op) => (op.completion.kind === 'round' ? [op.sign, op.ack].filter((m) => m !== undefined) : [])),
);

export interface RoundTx {
  readonly round: bigint;
  readonly stateHash: Encoded<'st'>;
}

/** The round and state hash a tx sets; the create tx sets round 1. */
export function roundTx(tx: string): RoundTx | undefined {
  try {
    const outer = unpackTx(tx as Encoded<'tx'>);
    const inner = outer.tag === Tag.SignedTx ? outer.encodedTx : outer;
    if (inner.tag === Tag.ChannelCreateTx) return { round: 1n, stateHash: inner.stateHash };
    return 'round' in inner && 'stateHash' in inner ? { round: inner.round, stateHash: inner.stateHash } : undefined;
  } catch {
    return undefined;
  }
}

const big = (v: JsonValue | undefined): bigint => BigInt(v as number | bigint);

function toUpdate(u: Json): OffChainUpdate {
  switch (u.op) {
    case 'OffChainTransfer':
      return { op: 'OffChainTransfer', from: u.from as Encoded<'ak'>, to: u.to as Encoded<'ak'>, amount: big(u.amount) };
    case 'OffChainDeposit':
      return { op: 'OffChainDeposit', from: u.from as Encoded<'ak'>, amount: big(u.amount) };
    case 'OffChainWithdrawal':
      return { op: 'OffChainWithdrawal', to: u.to as Encoded<'ak'>, amount: big(u.amount) };
    case 'OffChainMeta':
      return { op: 'OffChainMeta', data: u.data as string };
    default:
      return { op: u.op as 'OffChainNewContract' };
  }
}

export interface LedgerState {
  readonly tx: Encoded<'tx'>;
  readonly state: OffChainState;
}

export class Ledger {
  readonly #listed = new Map<string, OffChainUpdate[]>();
  readonly #rounds = new Map<bigint, LedgerState>();
  #latest: bigint | undefined;

  constructor(readonly channelReserve: bigint) {}

  /** A sign request of `method` for `tx`, listing `updates`: what that tx's round is made of. */
  listed(method: string, tx: string, updates: readonly Json[]): void {
    if (ROUND_REQUESTS.has(method)) this.#listed.set(innerKey(tx), updates.map(toUpdate));
  }

  /** A co-signed state known from elsewhere (the create tx's initial balances, a start state). */
  known(tx: Encoded<'tx'>, state: OffChainState): string | undefined {
    const round = roundTx(tx);
    if (round === undefined) return 'a co-signed state that is no round of the channel';
    if (encode(state.stateHash(), 'st') !== round.stateHash) return `the balances at round ${round.round} do not hash to its co-signed tx`;
    this.#set(round.round, { tx, state });
    return undefined;
  }

  /** A co-signed tx: its state is the round before's with the updates listed for it. */
  coSigned(tx: Encoded<'tx'>): string | undefined {
    const round = roundTx(tx);
    if (round === undefined) return 'a co-signed state that is no round of the channel';
    const before = this.#rounds.get(round.round - 1n);
    if (before === undefined) return `no known state before round ${round.round}`;
    const listed = this.#listed.get(innerKey(tx));
    if (listed === undefined) return `no recorded updates for the co-signed round ${round.round}`;
    const state = applyUpdates(before.state, listed, this.channelReserve);
    if (encode(state.stateHash(), 'st') !== round.stateHash) return `the recorded updates up to round ${round.round} do not hash to its co-signed tx`;
    this.#set(round.round, { tx, state });
    return undefined;
  }

  at(round: bigint): LedgerState | undefined {
    return this.#rounds.get(round);
  }

  /** The newest co-signed state known. */
  get latest(): LedgerState | undefined {
    return this.#latest === undefined ? undefined : this.#rounds.get(this.#latest);
  }

  #set(round: bigint, state: LedgerState): void {
    this.#rounds.set(round, state);
    if (this.#latest === undefined || round > this.#latest) this.#latest = round;
  }
}
