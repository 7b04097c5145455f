/**
 * Recoverable errors (aesc_fsm `handle_recoverable_error/5`): fall back to the last co-signed
 * state, maybe tell the peer FSM (`update_error`, `deposit_error`, …), maybe report
 * `channels.conflict`, go to `open`. Races, rejected peer updates, client aborts, timeouts in an
 * update and txs the chain refused all end here.
 */
import type { ChannelFsm } from './fsm.js';
import type { ErrorMsgType, PeerMessageType } from './peer-messages.js';
import type { StateName } from './states.js';

/** The conflict codes of aesc_codec.hrl. */
export const ErrorCode = { VALIDATION: 1, CONFLICT: 2, TIMEOUT: 3, ONCHAIN_REJECTED: 5 } as const;

/** The exchange an error ends: a sign tag, or the peer message that brought it. */
export type MsgType = string;

export interface RecoverableError {
  readonly code: number;
  /** The exchange that failed; decides the error message type and whether the peer hears of it. */
  readonly msgType?: MsgType;
  /** true/false: tell the peer or not; absent: tell it unless our own update never reached it. */
  readonly respond?: boolean;
  /** Report `channels.conflict` to our client (not done when the client itself aborted an ack). */
  readonly reportConflict?: boolean;
  /** Where to go: `open`, or `channel_closing` for a channel solo-closing on chain. */
  readonly next?: StateName;
}

/** Updates started by this FSM's client: an error before they were sent concerns nobody else (starting_msg/1). */
const STARTING_MSGS: ReadonlySet<MsgType> = new Set(['update', 'deposit_tx', 'withdraw_tx', 'shutdown']);

/** error_msg_type/1: the peer message that carries an error in each exchange; others reuse update_error. */
const ERROR_MSG_TYPES: ReadonlyMap<MsgType, ErrorMsgType> = new Map<MsgType, ErrorMsgType>([
  ['update', 'update_error'],
  ['update_ack', 'update_error'],
  ['deposit_created', 'deposit_error'],
  ['deposit_signed', 'deposit_error'],
  ['deposit_tx', 'deposit_error'],
  ['withdraw_created', 'withdraw_error'],
  ['withdraw_signed', 'withdraw_error'],
  ['withdraw_tx', 'withdraw_error'],
  ['shutdown', 'shutdown_error'],
  ['shutdown_ack', 'shutdown_error'],
]);

export function errorMsgType(msgType: MsgType | PeerMessageType): ErrorMsgType {
  return ERROR_MSG_TYPES.get(msgType) ?? 'update_error';
}

export function handleRecoverableError(fsm: ChannelFsm, error: RecoverableError): void {
  fallbackToStableState(fsm);
  const round = fsm.channel.round;
  const type = errorTypeSent(fsm, error);
  if (type !== undefined && fsm.channelId !== undefined) {
    fsm.send({ type, msg: { channelId: fsm.channelId, round, errorCode: error.code } });
  }
  if (error.reportConflict ?? true) fsm.report({ kind: 'conflict', code: error.code, round });
  fsm.next(error.next ?? 'open');
}

/** A race, or a peer message that does not check out: a conflict the peer hears of. */
export function handleUpdateConflict(fsm: ChannelFsm, msgType: MsgType): void {
  handleRecoverableError(fsm, { code: ErrorCode.CONFLICT, respond: true, msgType });
}

/** maybe_check_auth/6: report the failed check, then fail the exchange as a validation error. */
export function invalidSignature(fsm: ChannelFsm, error: string, msgType: MsgType): void {
  fsm.report({ kind: 'error', message: error });
  handleRecoverableError(fsm, { code: ErrorCode.VALIDATION, msgType });
}

/**
 * Drops the half-signed tx, the pending op and any wait for a tx of it to lock; the trees already
 * hold the last co-signed state.
 */
export function fallbackToStableState(fsm: ChannelFsm): void {
  fsm.channel.fallback();
  fsm.op = undefined;
  fsm.chainOp = undefined;
  fsm.ongoingUpdate = false;
}

/**
 * maybe_send_error_msg/4. An error that names no exchange (a timeout) tells the peer nothing: the
 * node would take the ongoing update's error type, which its fallback has just forgotten.
 */
function errorTypeSent(fsm: ChannelFsm, { code, msgType, respond }: RecoverableError): ErrorMsgType | undefined {
  if (respond === false || msgType === undefined) return undefined;
  if (respond === true) return errorMsgType(msgType);
  const passOn = code === ErrorCode.CONFLICT || (code === ErrorCode.ONCHAIN_REJECTED && fsm.profile.name !== 'seed');
  return !STARTING_MSGS.has(msgType) || passOn ? errorMsgType(msgType) : undefined;
}
