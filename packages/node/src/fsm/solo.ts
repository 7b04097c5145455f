/**
 * The states of a channel closing on chain (aesc_fsm channel_closing and channel_closed): slash,
 * settle, a late mutual close, or a peer coming back while solo-closing; done once the close is
 * deep enough. The solo txs themselves are in solo-txs.ts.
 */
import { handleCommonEvent } from './common.js';
import type { FsmEvent } from './events.js';
import type { ChannelFsm } from './fsm.js';
import { shutdown, shutdownReceived } from './mutual-close.js';
import { reestablishReceived } from './reestablish.js';

/** The channel is solo-closing on chain: slash, settle, a late mutual close, or a peer coming back. */
export function channelClosing(fsm: ChannelFsm, event: FsmEvent): void {
  const op = fsm.op;
  if (event.kind === 'chain' && event.event.type === 'channel_unlocked' && op?.kind === 'unlock') {
    try {
      fsm.chain.submit(op.tx);
    } catch {
      // The node only logs a settle the chain refused.
    }
    return;
  }
  if (event.kind === 'call' && event.call.type === 'shutdown') return shutdown(fsm, event.call.opts, event.reply);
  if (event.kind === 'peer' && event.msg.type === 'shutdown') return shutdownReceived(fsm, event.msg.msg);
  if (event.kind === 'peer' && event.msg.type === 'channel_reestablish' && fsm.options.role === 'responder') return reestablishReceived(fsm, event.msg.msg);
  handleCommonEvent(fsm, event);
}

/** `channel_closed`: the close is on chain; once deep enough the FSM is done (closed_confirmed). */
export function channelClosed(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind === 'chain') {
    const chainOp = fsm.chainOp;
    const e = event.event;
    if (e.type === 'minimum_depth_achieved' && chainOp?.tag === 'closed' && e.txHash === chainOp.txHash) return fsm.close('closed_confirmed');
    if (e.type === 'channel_changed') {
      // The closing tx again (a micro fork re-included it) is expected; anything else means a fork undid the close.
      if (e.txHash === chainOp?.txHash) return;
      fsm.report({ kind: 'info', event: 'zombie_channel' });
      return fsm.stop();
    }
  }
  handleCommonEvent(fsm, event);
}
