/**
 * What the rule book says of a channel tx: its effect, or the rule it breaks. The context is the
 * channel as both parties agreed it; the effect is everything signing the tx does to anyone's coins.
 */
import type { Encoded } from '../encoding.js';
import type { OffChainState } from '../state/offchain-state.js';
import type { UnsignedTx } from '../tx/schema.js';
import type { PricedTx } from './fee.js';

/** The last state both parties signed: its round, its tx and the balances it hashes. */
export interface LastCoSigned {
  readonly round: bigint;
  readonly tx: Encoded<'tx'>;
  readonly state: OffChainState;
}

/** The amounts and lock period a create tx must carry, and what the initiator pushes to the responder. */
export interface OpeningTerms {
  readonly initiatorAmount: bigint;
  readonly responderAmount: bigint;
  readonly pushAmount: bigint;
  readonly lockPeriod: bigint;
}

export interface ChannelContext {
  readonly networkId: string;
  /** Undefined until the create tx is known. */
  readonly channelId: Encoded<'ch'> | undefined;
  readonly initiatorId: Encoded<'ak'>;
  readonly responderId: Encoded<'ak'>;
  readonly channelReserve: bigint;
  /** What the parties agreed the create tx founds; unset, any amounts and lock period go. */
  readonly opening?: OpeningTerms;
  /** Undefined until the create tx is co-signed. */
  readonly last: LastCoSigned | undefined;
  /** The round the chain holds, where known (a snapshot reported included); unset: unknown. */
  readonly onChainRound?: bigint;
}

export type EffectKind = 'create' | 'offchain' | 'deposit' | 'withdraw' | 'close_mutual' | 'close_solo' | 'slash' | 'snapshot_solo' | 'settle';

/** A change of one account's balance: positive is a credit, negative a debit. */
export interface Movement {
  readonly account: Encoded<'ak'>;
  readonly amount: bigint;
}

export interface TxEffect {
  readonly kind: EffectKind;
  readonly tx: UnsignedTx;
  readonly networkId: string;
  readonly channelId: Encoded<'ch'>;
  /** Who posts the tx and pays its fee; undefined for an off-chain tx, which no one posts. */
  readonly from: Encoded<'ak'> | undefined;
  /** On-chain balances, fees included, of every account the tx touches. */
  readonly onChain: readonly Movement[];
  /** Channel balances, of every account whose balance changes (all of them when the channel pays out). */
  readonly offChain: readonly Movement[];
  readonly fee: bigint;
  /**
   * The tx as the node prices it when it sets the fee: the tx itself, but a mutual close before its
   * fee is split off the balances; undefined for an off-chain tx, which pays none.
   */
  readonly pricedAs: PricedTx | undefined;
  /** The poster's account nonce; undefined for an off-chain tx. */
  readonly nonce: bigint | undefined;
  /** The round the tx sets, or (solo txs) puts on chain; undefined for the txs that pay out. */
  readonly round: bigint | undefined;
  /** The channel's state once the tx takes effect; undefined once it pays out. */
  readonly state: OffChainState | undefined;
  readonly stateHash: Encoded<'st'> | undefined;
  /** Delegates the tx names (create tx only). */
  readonly delegates: readonly Encoded<'ak'>[];
}

/** Stable names of the rules a tx can break; never renamed or removed. */
export const Violation = {
  MALFORMED_TX: 'malformed_tx',
  /** Not a channel tx the rule book knows (force progress and contract updates need a VM). */
  UNSUPPORTED_TX: 'unsupported_tx',
  CHANNEL_NOT_OPEN: 'channel_not_open',
  WRONG_CHANNEL: 'wrong_channel',
  WRONG_ROUND: 'wrong_round',
  /** The listed updates are not the ones the tx stands for. */
  UPDATES_MISMATCH: 'updates_mismatch',
  /** The updates cannot apply to the last co-signed state. */
  INVALID_UPDATES: 'invalid_updates',
  WRONG_STATE_HASH: 'wrong_state_hash',
  /** An account of the tx is not a participant. */
  WRONG_PARTY: 'wrong_party',
  /** A payout other than the last co-signed balances (less the fee, for a mutual close). */
  WRONG_PAYOUT: 'wrong_payout',
  /** A solo tx that would put other than the last co-signed state on chain. */
  WRONG_PAYLOAD: 'wrong_payload',
  /** A proof of inclusion of another state than the last co-signed one. */
  WRONG_POI: 'wrong_poi',
  /** A create tx whose amounts, reserve or lock period are not the agreed ones. */
  WRONG_TERMS: 'wrong_terms',
} as const;
export type Violation = (typeof Violation)[keyof typeof Violation];

export type Verdict = { readonly ok: true; readonly effect: TxEffect } | { readonly ok: false; readonly violation: Violation; readonly reason: string };

export const broken = (violation: Violation, reason: string): Verdict => ({ ok: false, violation, reason });
