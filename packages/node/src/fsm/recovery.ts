/**
 * Recoverable errors (aesc_fsm `handle_recoverable_error/5`): fall back to the last co-signed
 * state, maybe tell the peer FSM (`update_error`), maybe report `channels.conflict`, go to `open`.
 * Races, rejected peer updates, client aborts and timeouts in an update all end here.
 */
import type { ChannelFsm } from './fsm.js';
import type { SignTag, OtherSignTag } from './events.js';

/** The conflict codes of aesc_codec.hrl. */
export const ErrorCode = { VALIDATION: 1, CONFLICT: 2, TIMEOUT: 3, ONCHAIN_REJECTED: 5 } as const;

export interface RecoverableError {
  readonly code: number;
  /** The exchange that failed; decides the error message type and whether the peer hears of it. */
  readonly msgType?: SignTag | OtherSignTag;
  /** true/false: tell the peer or not; absent: tell it unless our own update never reached it. */
  readonly respond?: boolean;
  /** Report `channels.conflict` to our client (not done when the client itself aborted an ack). */
  readonly reportConflict?: boolean;
}

/** Updates started by this FSM's client: an error before they were sent concerns nobody else. */
const STARTING_MSGS: ReadonlySet<string> = new Set(['update', 'deposit_tx', 'withdraw_tx', 'shutdown']);

export function handleRecoverableError(fsm: ChannelFsm, error: RecoverableError): void {
  fallbackToStableState(fsm);
  const round = fsm.channel.round;
  if (tellsPeer(fsm, error) && fsm.channelId !== undefined) {
    fsm.send({ type: 'update_error', msg: { channelId: fsm.channelId, round, errorCode: error.code } });
  }
  if (error.reportConflict ?? true) fsm.report({ kind: 'conflict', code: error.code, round });
  fsm.next('open');
}

export function handleUpdateConflict(fsm: ChannelFsm, msgType: SignTag): void {
  handleRecoverableError(fsm, { code: ErrorCode.CONFLICT, respond: true, msgType });
}

/** Drops the half-signed tx and the pending op; the trees already hold the last co-signed state. */
export function fallbackToStableState(fsm: ChannelFsm): void {
  fsm.channel.fallback();
  fsm.op = undefined;
  fsm.ongoingUpdate = false;
}

function tellsPeer(fsm: ChannelFsm, { code, msgType, respond }: RecoverableError): boolean {
  if (respond !== undefined) return respond;
  // A timeout names no exchange: the node uses the one it noted when the update began.
  if (msgType === undefined) return fsm.errorMsgType !== undefined;
  const passOn = code === ErrorCode.CONFLICT || (code === ErrorCode.ONCHAIN_REJECTED && fsm.profile.name !== 'seed');
  return !STARTING_MSGS.has(msgType) || passOn;
}
