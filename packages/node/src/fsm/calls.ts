/**
 * The calls every state serves (aesc_fsm `handle_call_/4`): in-band messages, queries, solo txs,
 * aborts of signing requests and assumed minimum depths; the rest wait in transition states.
 */
import { encodeCallStateTree, type Encoded, encodeStateTrees, poiFromState } from '@ch/codec';
import { abortableTags } from '@ch/rpc';
import { INBAND_ENVELOPE_BYTES, MAX_INBAND_MSG_BYTES } from '../limits.js';
import type { CallResult, ClientCall } from './events.js';
import type { ChannelFsm } from './fsm.js';
import { handleRecoverableError } from './recovery.js';
import { soloRequest } from './solo-txs.js';
import { TRANSITION_STATES } from './states.js';

/** The signing requests a client may abort: its own (sign) and the peer's (ack), aesc_fsm.hrl. */
const CANCEL_SIGN_TAGS: ReadonlySet<string> = abortableTags('sign');
const CANCEL_ACK_TAGS: ReadonlySet<string> = abortableTags('ack');

/** Calls any state serves; others wait in transition states and are refused elsewhere. */
export function handleCall(fsm: ChannelFsm, call: ClientCall, reply: (result: CallResult) => void): void {
  switch (call.type) {
    case 'abort':
      return abort(fsm, call, reply);
    case 'inband_msg':
      if (!forwardable(fsm, call.info)) return reply({ ok: false, error: 'invalid_request' });
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

/**
 * An in-band message goes to the peer's client inside a `channels.message` notification: its info
 * is at most what the node passes on (aesc_fsm `inband_msg/4`), and once JSON-escaped (a control
 * character takes six bytes) the notification still fits one frame of the receiving client.
 */
function forwardable(fsm: ChannelFsm, info: string): boolean {
  if (Buffer.byteLength(info) > MAX_INBAND_MSG_BYTES) return false;
  return Buffer.byteLength(JSON.stringify(info)) + INBAND_ENVELOPE_BYTES <= fsm.maxFrameBytes;
}
