/**
 * Events a state has no clause for (aesc_fsm `handle_common_event/4`): timeouts, the peer going
 * away, in-band messages, chain news and stray conflict notices; calls go to calls.ts.
 */
import { handleCall } from './calls.js';
import type { ChainEvent, FsmEvent } from './events.js';
import type { ChannelFsm } from './fsm.js';
import { watchMinDepth } from './min-depth.js';
import { isErrorMsg } from './peer-messages.js';
import { ErrorCode, fallbackToStableState, handleRecoverableError } from './recovery.js';
import { channelClosingOnChain, isOwnSnapshot } from './solo-txs.js';
import { UNHANDLED } from './states.js';

/** The tx type each min-depth watch is named by in `minimum_depth_achieved` (min_depth_op_type/1). */
const WATCHED_TX_TYPES = { funding: 'channel_create_tx', deposit: 'channel_deposit_tx', withdraw: 'channel_withdraw_tx', closed: 'close', snapshot_solo: 'channel_snapshot_solo_tx' } as const;

export function handleCommonEvent(fsm: ChannelFsm, event: FsmEvent): void {
  const mode = UNHANDLED[fsm.state];
  switch (event.kind) {
    case 'timeout':
      if (event.state !== fsm.state) return;
      if (fsm.ongoingUpdate) return handleRecoverableError(fsm, { code: ErrorCode.TIMEOUT });
      if (fsm.options.role === 'responder' && fsm.options.keepRunning) return;
      return fsm.close('timeout');
    case 'peer': {
      const { msg } = event;
      if (msg.type === 'disconnect') return peerLeft(fsm);
      if (msg.type === 'inband_msg') {
        const { channelId, from, to, info } = msg.msg;
        if (channelId === fsm.channelId && to === fsm.myAccount && from === fsm.otherAccount) fsm.report({ kind: 'message', from, to, info });
        return;
      }
      // A peer that also saw the race sends its own conflict notice; HEAD drops it wherever it lands.
      if (isErrorMsg(msg) && msg.type !== 'shutdown_error' && msg.msg.errorCode === ErrorCode.CONFLICT && !fsm.profile.reportStrayConflicts) return;
      break;
    }
    case 'chain':
      if (chainEvent(fsm, event.event)) return;
      break;
    case 'call':
      if (mode === 'error_all' || mode === 'postpone_or_error') return event.reply({ ok: false, error: 'not_ready' });
      return handleCall(fsm, event.call, event.reply);
    case 'abort_cast':
    case 'signed':
    case 'connected':
      break;
  }
  if (mode === 'postpone' || mode === 'postpone_or_error') return fsm.postpone();
  // discard: drop it; error, error_all: a protocol error ends the FSM.
  if (mode === 'error' || mode === 'error_all') fsm.stop();
}

/**
 * The peer's session is gone. A keep-running responder stays up for the peer to come back
 * (prepare_for_reestablish/1); a closing channel waits for the chain; otherwise the FSM ends.
 */
function peerLeft(fsm: ChannelFsm): void {
  if (fsm.channelStatus === 'closing') return;
  if (fsm.options.role !== 'responder' || !fsm.options.keepRunning || !fsm.clientMayDisconnect) return fsm.stop();
  fsm.report({ kind: 'info', event: 'peer_disconnected' });
  fallbackToStableState(fsm);
  fsm.peer = undefined;
  fsm.next('open');
  fsm.awaitPeer();
}

/** The watcher's news that no state has a clause for; false if the state's mode decides. */
function chainEvent(fsm: ChannelFsm, event: ChainEvent): boolean {
  switch (event.type) {
    case 'channel_changed':
      if (fsm.chainOp !== undefined && fsm.chainOp.txHash !== event.txHash) {
        // The channel changed while we wait to confirm another tx (unexpected_tx_on_chain).
        fsm.stop();
        return true;
      }
      fsm.report({ kind: 'on_chain_tx', info: 'channel_changed', tx: event.tx });
      if (isOwnSnapshot(fsm, event.tx)) watchMinDepth(fsm, 'snapshot_solo', { tx: event.tx, updates: [] }, false);
      return true;
    case 'channel_closing':
      channelClosingOnChain(fsm, event.tx, event.channel.round);
      return true;
    case 'channel_closed':
      watchMinDepth(fsm, 'closed', { tx: event.tx, updates: [] });
      fsm.report({ kind: 'on_chain_tx', info: 'channel_closed', tx: event.tx });
      fsm.next('channel_closed');
      return true;
    case 'minimum_depth_achieved':
      if (event.tag === 'snapshot_solo') {
        // Only the client that posted the snapshot hears of its depth, and nothing waits for it.
        fsm.report({ kind: 'info', event: 'min_depth_achieved', details: { tx_hash: event.txHash, type: WATCHED_TX_TYPES.snapshot_solo } });
        return true;
      }
      if (!fsm.pastAssumptions.delete(event.txHash)) return false;
      // The depth the client told us to assume has now been reached for real.
      fsm.report({ kind: 'info', event: 'minimum_depth_achieved', details: { notice: 'already_assumed', tx_hash: event.txHash, tx_type: WATCHED_TX_TYPES[event.tag] } });
      return true;
    case 'channel_unlocked':
      return false;
  }
}
