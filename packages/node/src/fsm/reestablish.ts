/**
 * Reestablishing a channel after a leave or a lost connection (aesc_fsm states reestablish_init
 * and awaiting_reestablish): the initiator sends its latest co-signed state, the responder checks
 * it is its own latest and answers with it; both are then back where they left, at the same round.
 */
import { sameTx, signedByAll } from './auth.js';
import { handleCommonEvent } from './common.js';
import type { FsmEvent } from './events.js';
import type { ChannelFsm } from './fsm.js';
import type { PeerEndpoint } from './link.js';
import { watcherOf } from './min-depth.js';
import type { ReestablishMsg } from './peer-messages.js';

/** An initiator started to reestablish (op_reestablish with mode connect): it has a co-signed state already. */
export function reestablishing(fsm: ChannelFsm): boolean {
  return fsm.channel.signed !== undefined;
}

/** Initiator, connected: ask the responder to go on from our latest state. */
export function sendReestablish(fsm: ChannelFsm): void {
  fsm.send({ type: 'channel_reestablish', msg: { channelId: fsm.channelId!, tx: fsm.channel.signed!.tx } });
  fsm.next('reestablish_init');
}

/** The state each side sends must be the latest both signed (check_reestablish_tx/2, chk_same_tx/3). */
function isOurLatest(fsm: ChannelFsm, msg: ReestablishMsg): boolean {
  const signed = fsm.channel.signed;
  return msg.channelId === fsm.channelId && signed !== undefined && sameTx(msg.tx, signed.tx) && signedByAll(msg.tx, fsm.chain.networkId, fsm.participants);
}

/** A channel solo-closing on chain is reestablished into channel_closing. */
function resumedState(fsm: ChannelFsm): 'open' | 'channel_closing' {
  return (fsm.chain.channel(fsm.channelId!)?.lockedUntil ?? 0n) === 0n ? 'open' : 'channel_closing';
}

export function reestablishInit(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind !== 'peer' || event.msg.type !== 'channel_reestablish_ack') return handleCommonEvent(fsm, event);
  if (!isOurLatest(fsm, event.msg.msg)) return fsm.stop();
  fsm.report({ kind: 'info', event: 'channel_reestablished' });
  watcherOf(fsm);
  fsm.next(resumedState(fsm));
}

export function awaitingReestablish(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind === 'peer' && event.msg.type === 'channel_reestablish') return reestablishReceived(fsm, event.msg.msg);
  handleCommonEvent(fsm, event);
}

/** Responder: the initiator's state is our latest; answer with it and go on. */
export function reestablishReceived(fsm: ChannelFsm, msg: ReestablishMsg): void {
  if (fsm.chain.channel(msg.channelId) === undefined || !isOurLatest(fsm, msg)) return fsm.stop();
  fsm.report({ kind: 'info', event: 'channel_reestablished' });
  watcherOf(fsm);
  fsm.send({ type: 'channel_reestablish_ack', msg: { channelId: fsm.channelId!, tx: fsm.channel.signed!.tx } });
  // A responder that kept running told its client this state already; the node tells it again.
  fsm.forgetReportedUpdate();
  if (fsm.state === 'awaiting_reestablish') fsm.next('open');
}

/** A keep-running responder in open whose peer comes back (open/3 attach_responder): `open` is reported anew. */
export function attachReestablishing(fsm: ChannelFsm, peer: PeerEndpoint): void {
  fsm.peer = peer;
  fsm.channelStatus = 'attached';
  fsm.next('awaiting_reestablish');
}
