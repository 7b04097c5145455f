/**
 * Events a state has no clause for (aesc_fsm `handle_common_event/4`) and the calls every state
 * serves (`handle_call_/4`): timeouts, the peer going away, in-band messages, chain news, stray
 * conflict notices, queries, solo txs, and aborts of signing requests.
 */
import { encodeCallStateTree, type Encoded, encodeStateTrees, poiFromState } from '@ch/codec';
import { abortableTags } from '@ch/rpc';
import type { CallResult, ChainEvent, ClientCall, FsmEvent } from './events.js';
import type { ChannelFsm } from './fsm.js';
import { watchMinDepth } from './min-depth.js';
import { isErrorMsg } from './peer-messages.js';
import { ErrorCode, fallbackToStableState, handleRecoverableError } from './recovery.js';
import { channelClosingOnChain, isOwnSnapshot, soloRequest } from './solo.js';
import { TRANSITION_STATES, UNHANDLED } from './states.js';

/** The signing requests a client may abort: its own (sign) and the peer's (ack), aesc_fsm.hrl. */
const CANCEL_SIGN_TAGS: ReadonlySet<string> = abortableTags('sign');
const CANCEL_ACK_TAGS: ReadonlySet<string> = abortableTags('ack');

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

/** Calls any state serves; others wait in transition states and are refused elsewhere. */
export function handleCall(fsm: ChannelFsm, call: ClientCall, reply: (result: CallResult) => void): void {
  switch (call.type) {
    case 'abort':
      return abort(fsm, call, reply);
    case 'inband_msg':
      if (call.to !== fsm.otherAccount || fsm.peer === undefined) return reply({ ok: false, error: 'unknown_recipient' });
      fsm.send({ type: 'inband_msg', msg: { channelId: fsm.channelId ?? fsm.temporaryChannelId!, from: fsm.myAccount, to: call.to, info: call.info } });
      return reply({ ok: true });
    case 'balances': {
      const balances = call.accounts.flatMap((account) => {
        const balance = fsm.channel.trees.balanceOf(account);
        return balance === undefined ? [] : [{ account, balance }];
      });
      return reply({ ok: true, value: { type: 'balances', balances } });
    }
    case 'offchain_state': {
      const signed = fsm.channel.signed;
      if (signed === undefined) return reply({ ok: false, error: 'not_ready' });
      return reply({
        ok: true,
        value: { type: 'offchain_state', calls: encodeCallStateTree(), halfSignedTx: fsm.channel.halfSigned ?? '', signedTx: signed.tx, trees: encodeStateTrees({ accounts: fsm.channel.trees.accountEntries() }) },
      });
    }
    case 'poi': {
      // A proof can only include what the channel holds: no contracts here, and its two accounts.
      const known = call.contracts.length === 0 && call.accounts.every((a) => fsm.channel.trees.balanceOf(a) !== undefined);
      if (!known) return reply({ ok: false, error: 'not_found' });
      return reply({ ok: true, value: { type: 'poi', poi: poiFromState(fsm.channel.trees) } });
    }
    case 'close_solo':
    case 'snapshot_solo':
    case 'slash':
    case 'settle':
      return soloRequest(fsm, call, reply);
    case 'assume_minimum_depth':
      return assumeMinimumDepth(fsm, call.txHash, reply);
    case 'transfer':
    case 'deposit':
    case 'withdraw':
    case 'leave':
    case 'shutdown':
      if (TRANSITION_STATES.has(fsm.state)) return fsm.postpone();
      return reply({ ok: false, error: 'unknown_request' });
  }
}

/**
 * `{"error": N}` as a call (HEAD, aesc_fsm.erl:4547-4579): only while waiting for the signature
 * the client aborts. Its own request just ends; an ack it refuses tells the peer, which reports a
 * conflict with the client's code. A channel solo-closing on chain goes back to channel_closing.
 */
function abort(fsm: ChannelFsm, call: Extract<ClientCall, { type: 'abort' }>, reply: (result: CallResult) => void): void {
  const op = fsm.op;
  const waiting = fsm.state === 'awaiting_signature' && op?.kind === 'sign' && op.tag === call.tag;
  if (!waiting || !(CANCEL_SIGN_TAGS.has(op.tag) || CANCEL_ACK_TAGS.has(op.tag))) return reply({ ok: false, error: 'not_allowed_now' });
  fsm.report({ kind: 'info', event: 'aborted_update' });
  const next = (fsm.chain.channel(fsm.channelId!)?.lockedUntil ?? 0n) === 0n ? 'open' : 'channel_closing';
  if (CANCEL_SIGN_TAGS.has(op.tag)) {
    fsm.op = undefined;
    fsm.ongoingUpdate = false;
    fsm.next(next);
  } else {
    handleRecoverableError(fsm, { code: call.code, respond: true, msgType: op.tag, reportConflict: false, next });
  }
  reply({ ok: true });
}

/**
 * `channels.assume_minimum_depth`: while waiting for the tx's depth, take it as reached (the real
 * confirmation is reported when it comes). For another tx the call waits like any other.
 */
function assumeMinimumDepth(fsm: ChannelFsm, txHash: Encoded<'th'>, reply: (result: CallResult) => void): void {
  const chainOp = fsm.chainOp;
  if (chainOp?.txHash !== txHash) {
    if (TRANSITION_STATES.has(fsm.state)) return fsm.postpone();
    return reply({ ok: false, error: 'unknown_request' });
  }
  if (fsm.state !== 'awaiting_locked' && fsm.state !== 'channel_closed') return reply({ ok: false, error: 'not_allowed_now' });
  fsm.pastAssumptions.add(txHash);
  reply({ ok: true });
  fsm.deliverNext({ kind: 'chain', event: { type: 'minimum_depth_achieved', tag: chainOp.tag, txHash } });
}
