/**
 * Events a state has no clause for (aesc_fsm `handle_common_event/4`) and the calls every state
 * serves (`handle_call_/4`): timeouts, the peer going away, in-band messages, chain news, stray
 * conflict notices, queries, and aborts of signing requests.
 */
import { poiFromState } from '@ch/codec';
import type { CallResult, ClientCall, FsmEvent } from './events.js';
import type { ChannelFsm } from './fsm.js';
import { ErrorCode, handleRecoverableError } from './recovery.js';
import { TRANSITION_STATES, UNHANDLED } from './states.js';
import { callStateTree, stateTrees } from './trees.js';

/** The signing requests a client may abort: its own (sign) and the peer's (ack), aesc_fsm.hrl. */
const CANCEL_SIGN_TAGS: ReadonlySet<string> = new Set(['update', 'deposit_tx', 'withdraw_tx', 'shutdown', 'snapshot_solo_tx', 'close_solo_tx', 'slash_tx', 'settle_tx', 'force_progress_tx']);
const CANCEL_ACK_TAGS: ReadonlySet<string> = new Set(['update_ack', 'deposit_created', 'withdraw_created', 'shutdown_ack']);

export function handleCommonEvent(fsm: ChannelFsm, event: FsmEvent): void {
  const mode = UNHANDLED[fsm.state];
  switch (event.kind) {
    case 'timeout':
      if (event.state !== fsm.state) return;
      if (fsm.ongoingUpdate) return handleRecoverableError(fsm, { code: ErrorCode.TIMEOUT });
      if (fsm.options.role === 'responder' && fsm.options.keepRunning) return;
      return fsm.close('timeout');
    case 'peer':
      switch (event.msg.type) {
        case 'disconnect':
          return fsm.stop();
        case 'inband_msg': {
          const { from, to, info } = event.msg.msg;
          return fsm.report({ kind: 'message', from, to, info });
        }
        case 'update_error':
          // A peer that also saw the race sends its own conflict notice; HEAD drops it wherever it lands.
          if (event.msg.msg.errorCode === ErrorCode.CONFLICT && !fsm.profile.reportStrayConflicts) return;
          break;
      }
      break;
    case 'chain':
      if (event.event.type === 'channel_changed' && fsm.watch?.txHash === event.event.txHash) {
        return fsm.report({ kind: 'on_chain_tx', info: 'channel_changed', tx: event.event.tx });
      }
      // A lock we no longer wait for (the FSM moved on): nothing to do.
      return;
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

/** Calls any state serves; others wait in transition states and are refused elsewhere. */
export function handleCall(fsm: ChannelFsm, call: ClientCall, reply: (result: CallResult) => void): void {
  switch (call.type) {
    case 'abort':
      return abort(fsm, call.tag, call.code, reply);
    case 'inband_msg':
      if (call.to !== fsm.otherAccount || fsm.peer === undefined) return reply({ ok: false, error: 'unknown_recipient' });
      fsm.send({ type: 'inband_msg', msg: { channelId: fsm.channelId!, from: fsm.myAccount, to: call.to, info: call.info } });
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
        value: { type: 'offchain_state', calls: callStateTree(), halfSignedTx: fsm.channel.halfSigned ?? '', signedTx: signed.tx, trees: stateTrees(fsm.channel.trees) },
      });
    }
    case 'poi':
      return reply({ ok: true, value: { type: 'poi', poi: poiFromState(fsm.channel.trees) } });
    case 'transfer':
      if (TRANSITION_STATES.has(fsm.state)) return fsm.postpone();
      return reply({ ok: false, error: 'unknown_request' });
  }
}

/**
 * `{"error": N}` as a call (HEAD, aesc_fsm.erl:4547-4579): only while waiting for the signature
 * the client aborts. Its own update just ends; an ack it refuses tells the peer, which reports a
 * conflict with the client's code.
 */
function abort(fsm: ChannelFsm, tag: string, code: number, reply: (result: CallResult) => void): void {
  const op = fsm.op;
  const waiting = fsm.state === 'awaiting_signature' && op?.kind === 'sign' && op.tag === tag;
  if (!waiting || !(CANCEL_SIGN_TAGS.has(tag) || CANCEL_ACK_TAGS.has(tag))) return reply({ ok: false, error: 'not_allowed_now' });
  fsm.report({ kind: 'info', event: 'aborted_update' });
  if (CANCEL_SIGN_TAGS.has(tag)) {
    fsm.op = undefined;
    fsm.ongoingUpdate = false;
    fsm.next('open');
  } else {
    handleRecoverableError(fsm, { code, respond: true, msgType: op.tag, reportConflict: false });
  }
  reply({ ok: true });
}
