/**
 * The `open` state (aesc_fsm open/3): where every exchange starts, by a client's call or by the
 * peer's message, and where a peer reestablishing with a waiting responder is let in.
 */
import { handleCommonEvent } from './common.js';
import type { FsmEvent } from './events.js';
import type { ChannelFsm } from './fsm.js';
import { leave, peerLeaves } from './leave.js';
import { shutdown, shutdownReceived } from './mutual-close.js';
import { attachReestablishing } from './reestablish.js';
import { peerProposal, propose } from './updates.js';

export function open(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind === 'call') {
    const { call, reply } = event;
    switch (call.type) {
      case 'transfer':
        return propose(fsm, call, reply);
      case 'deposit':
      case 'withdraw':
        // The node has no clause for a zero amount: an unknown request there too.
        if (call.amount <= 0n) return reply({ ok: false, error: 'unknown_request' });
        return propose(fsm, call, reply);
      case 'leave':
        return leave(fsm, reply);
      case 'shutdown':
        return shutdown(fsm, call.opts, reply);
    }
  }
  if (event.kind === 'peer') {
    const { msg } = event;
    switch (msg.type) {
      case 'update':
      case 'deposit_created':
      case 'withdraw_created':
        return peerProposal(fsm, msg.type, msg.msg);
      case 'leave':
        return peerLeaves(fsm, msg.msg);
      case 'shutdown':
        return shutdownReceived(fsm, msg.msg);
      case 'update_error':
        // 2019: a conflict notice arriving here (the peer saw the same race) is reported once more.
        if (fsm.profile.reportStrayConflicts) return fsm.report({ kind: 'conflict', code: msg.msg.errorCode, round: msg.msg.round });
        break;
    }
  }
  if (event.kind === 'connected' && fsm.peer === undefined) return attachReestablishing(fsm, event.peer);
  // A signing reply after a fallback is stale: dropped (open/3, 'discard').
  handleCommonEvent(fsm, event);
}
