/**
 * Leaving a channel (aesc_fsm `leave`, state awaiting_leave_ack): both FSMs hand their clients the
 * latest co-signed state (`channels.leave`), keep it for a later reestablish, and stop; a
 * keep-running responder stays up for the peer to come back.
 */
import { handleCommonEvent } from './common.js';
import type { CallResult, FsmEvent } from './events.js';
import type { ChannelFsm } from './fsm.js';
import type { ChannelIdMsg } from './peer-messages.js';

/** `channels.leave` in open: tell the peer, then wait for its ack. */
export function leave(fsm: ChannelFsm, reply: (r: CallResult) => void): void {
  fsm.send({ type: 'leave', msg: { channelId: fsm.channelId! } });
  reply({ ok: true });
  fsm.next('awaiting_leave_ack');
}

/** The peer leaves (open/3 ?LEAVE): ack, tell our client, and stop unless we keep running for it. */
export function peerLeaves(fsm: ChannelFsm, msg: ChannelIdMsg): void {
  if (msg.channelId !== fsm.channelId) return;
  fsm.send({ type: 'leave_ack', msg: { channelId: fsm.channelId } });
  reportLeave(fsm);
  if (fsm.options.role === 'responder' && fsm.options.keepRunning) return;
  fsm.stop();
}

export function awaitingLeaveAck(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind === 'peer' && (event.msg.type === 'leave_ack' || event.msg.type === 'leave')) {
    if (event.msg.msg.channelId !== fsm.channelId) return fsm.stop();
    // Both left at once: each acks the other's leave.
    if (event.msg.type === 'leave') fsm.send({ type: 'leave_ack', msg: { channelId: fsm.channelId } });
    reportLeave(fsm);
    return fsm.stop();
  }
  handleCommonEvent(fsm, event);
}

/** report_leave/1: the state to reestablish with, cached for it. */
function reportLeave(fsm: ChannelFsm): void {
  fsm.report({ kind: 'leave', state: fsm.channel.signed!.tx });
  fsm.cache();
}
