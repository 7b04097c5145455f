/**
 * Messages the two FSMs of a channel exchange (aesc_codec.hrl message codes; aesc_session_noise).
 * On a real node they travel as noise-encrypted binaries between the two nodes; here they are
 * objects carrying the same fields, with transactions as `tx_` strings.
 */
import type { Encoded } from '@ch/codec';
import type { OffChainUpdate } from '@ch/codec';

export interface ChannelOpenMsg {
  temporaryChannelId: Encoded<'ch'>;
  lockPeriod: bigint;
  pushAmount: bigint;
  initiatorAmount: bigint;
  responderAmount: bigint;
  channelReserve: bigint;
  initiator: Encoded<'ak'>;
  responder: Encoded<'ak'>;
}

export interface ChannelAcceptMsg {
  temporaryChannelId: Encoded<'ch'>;
  minimumDepth: bigint;
  minimumDepthStrategy: MinimumDepthStrategy;
}

export type MinimumDepthStrategy = 'txfee' | 'plain';

/** A signed tx and the updates it carries: funding_created, update, deposit_created, … */
export interface SignedTxMsg {
  channelId: Encoded<'ch'>;
  tx: Encoded<'tx'>;
  updates: readonly OffChainUpdate[];
}

/** funding_locked, deposit_locked, withdraw_locked: the locked tx's hash. */
export interface LockedMsg {
  channelId: Encoded<'ch'>;
  txHash: Encoded<'th'>;
}

/** update_error, deposit_error, withdraw_error, shutdown_error (aesc_fsm make_recoverable_error_msg). */
export interface RecoverableErrorMsg {
  channelId: Encoded<'ch'>;
  round: bigint;
  errorCode: number;
}

export interface InbandMsg {
  channelId: Encoded<'ch'>;
  from: Encoded<'ak'>;
  to: Encoded<'ak'>;
  info: string;
}

export interface ChannelIdMsg {
  channelId: Encoded<'ch'>;
}

/** channel_reestablish and its ack: the latest co-signed state each side holds. */
export interface ReestablishMsg {
  channelId: Encoded<'ch'>;
  tx: Encoded<'tx'>;
}

/** The messages that carry a peer's recoverable error, by the exchange they end. */
export type ErrorMsgType = 'update_error' | 'deposit_error' | 'withdraw_error' | 'shutdown_error';

/** Messages that carry a signed tx: the proposals and co-signatures of every exchange. */
export type SignedTxMsgType =
  | 'funding_created'
  | 'funding_signed'
  | 'update'
  | 'update_ack'
  | 'deposit_created'
  | 'deposit_signed'
  | 'withdraw_created'
  | 'withdraw_signed'
  | 'shutdown'
  | 'shutdown_ack';

export type PeerMessage =
  | { type: 'channel_open'; msg: ChannelOpenMsg }
  | { type: 'channel_accept'; msg: ChannelAcceptMsg }
  | { type: SignedTxMsgType; msg: SignedTxMsg }
  | { type: 'funding_locked' | 'deposit_locked' | 'withdraw_locked'; msg: LockedMsg }
  | { type: ErrorMsgType; msg: RecoverableErrorMsg }
  | { type: 'inband_msg'; msg: InbandMsg }
  | { type: 'leave' | 'leave_ack'; msg: ChannelIdMsg }
  | { type: 'channel_reestablish' | 'channel_reestablish_ack'; msg: ReestablishMsg }
  | { type: 'disconnect' };

export type PeerMessageType = PeerMessage['type'];
/** The three message types whose arrival during an own update is a race (?UPDATE_CAST). */
export const UPDATE_STARTS: ReadonlySet<PeerMessageType> = new Set(['update', 'deposit_created', 'withdraw_created']);

export function isErrorMsg(msg: PeerMessage): msg is Extract<PeerMessage, { type: ErrorMsgType }> {
  return msg.type === 'update_error' || msg.type === 'deposit_error' || msg.type === 'withdraw_error' || msg.type === 'shutdown_error';
}
