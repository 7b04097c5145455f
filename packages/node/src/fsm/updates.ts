/**
 * Off-chain updates (aesc_fsm states open, awaiting_signature, awaiting_update_ack): a client's
 * transfer becomes an `update` to the peer once signed, the peer's client co-signs it as
 * `update_ack`, and both FSMs take the co-signed round. Updates crossing each other are a
 * conflict; so is a peer update that does not check out.
 */
import { UpdateRejectedError, type Encoded, type OffChainState, type OffChainUpdate } from '@ch/codec';
import { sameTx, signedByAll, unexpectedTx } from './auth.js';
import { handleCommonEvent } from './common.js';
import type { CallError, CallResult, ClientCall, FsmEvent } from './events.js';
import type { ChannelFsm } from './fsm.js';
import type { SignedTxMsg } from './peer-messages.js';
import { ErrorCode, fallbackToStableState, handleRecoverableError, handleUpdateConflict } from './recovery.js';
import { offChainTx } from './txs.js';

export function open(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind === 'call' && event.call.type === 'transfer') return transfer(fsm, event.call, event.reply);
  if (event.kind === 'peer') {
    const { msg } = event;
    if (msg.type === 'update') return peerUpdate(fsm, msg.msg);
    // 2019: a conflict notice arriving here (the peer saw the same race) is reported once more.
    if (msg.type === 'update_error' && fsm.profile.reportStrayConflicts) {
      return fsm.report({ kind: 'conflict', code: msg.msg.errorCode, round: msg.msg.round });
    }
  }
  // A signing reply after a fallback is stale: dropped (open/3, 'discard').
  handleCommonEvent(fsm, event);
}

/** `channels.update.new` in `open` (handle_call_ upd_transfer, handle_upd_transfer/6). */
function transfer(fsm: ChannelFsm, call: Extract<ClientCall, { type: 'transfer' }>, reply: (r: CallResult) => void): void {
  const { from, to, amount, meta } = call;
  const participants = [fsm.options.initiator, fsm.options.responder];
  if (from === to || !participants.includes(from) || !participants.includes(to)) return reply({ ok: false, error: 'invalid_pubkeys' });
  const updates: OffChainUpdate[] = [{ op: 'OffChainTransfer', from, to, amount }, ...meta.map((data) => ({ op: 'OffChainMeta' as const, data }))];
  let next: OffChainState;
  try {
    next = fsm.channel.apply(updates);
  } catch (e) {
    return reply({ ok: false, error: rejection(e) });
  }
  fsm.ongoingUpdate = true;
  // The node replies before it sends the signing request.
  reply({ ok: true });
  fsm.requestSigning('update', offChainTx(fsm.channelId!, fsm.channel.round + 1n, next), updates, next);
}

function rejection(e: unknown): CallError {
  if (e instanceof UpdateRejectedError && (e.reason === 'insufficient_balance' || e.reason === 'negative_amount')) return e.reason;
  if (e instanceof UpdateRejectedError && e.reason === 'unknown_account') return 'invalid_pubkeys';
  throw e;
}

/** The peer proposes a round: check it as the node does (check_update_msg/2), then ask to co-sign. */
function peerUpdate(fsm: ChannelFsm, msg: SignedTxMsg): void {
  const next = checkPeerUpdate(fsm, msg);
  if (next === undefined) return handleUpdateConflict(fsm, 'update');
  fsm.report({ kind: 'info', event: 'update' });
  fsm.ongoingUpdate = true;
  fsm.errorMsgType = 'update_error';
  fsm.requestSigning('update_ack', msg.tx, msg.updates, next);
}

function checkPeerUpdate(fsm: ChannelFsm, msg: SignedTxMsg): OffChainState | undefined {
  if (msg.channelId !== fsm.channelId) return undefined;
  try {
    const next = fsm.channel.apply(msg.updates);
    const expected = offChainTx(fsm.channelId, fsm.channel.round + 1n, next);
    if (unexpectedTx(msg.tx, expected) !== undefined) return undefined;
    return signedByAll(msg.tx, fsm.chain.networkId, [fsm.otherAccount]) ? next : undefined;
  } catch {
    return undefined;
  }
}

/** While an update of ours (or the peer's we were asked to sign) is pending, a new one races it. */
export function raceWhileSigning(fsm: ChannelFsm, event: FsmEvent): boolean {
  if (!fsm.ongoingUpdate || fsm.op?.kind !== 'sign') return false;
  if (event.kind === 'peer' && event.msg.type === 'update') {
    handleUpdateConflict(fsm, 'update');
    return true;
  }
  if (event.kind === 'call' && event.call.type === 'transfer') {
    // handle_call_(awaiting_signature, upd_*): answered ok, then the pending update is dropped.
    const tag = fsm.op.tag;
    event.reply({ ok: true });
    fsm.op = undefined;
    handleUpdateConflict(fsm, tag);
    return true;
  }
  return false;
}

/** Our client signed our update: send it to the peer and wait for its co-signature. */
export function updateSigned(fsm: ChannelFsm, tx: Encoded<'tx'>): void {
  const op = fsm.op!;
  const error = unexpectedTx(tx, op.tx) ?? (signedByAll(tx, fsm.chain.networkId, [fsm.myAccount]) ? undefined : 'bad_signature');
  if (error !== undefined) return invalidSignature(fsm, error, 'update');
  fsm.channel.setHalfSigned(tx);
  fsm.op = { ...op, kind: 'ack', tx };
  fsm.ongoingUpdate = true;
  fsm.errorMsgType = 'update_error';
  fsm.send({ type: 'update', msg: { channelId: fsm.channelId!, tx, updates: op.updates } });
  fsm.next('awaiting_update_ack');
}

/** Our client co-signed the peer's update: the round is agreed. */
export function updateAckSigned(fsm: ChannelFsm, tx: Encoded<'tx'>): void {
  const op = fsm.op!;
  const both = [fsm.options.initiator, fsm.options.responder];
  const error = unexpectedTx(tx, op.tx) ?? (signedByAll(tx, fsm.chain.networkId, both) ? undefined : 'bad_signature');
  if (error !== undefined) return invalidSignature(fsm, error, 'update_ack');
  fsm.send({ type: 'update_ack', msg: { channelId: fsm.channelId!, tx, updates: [] } });
  fsm.channel.setSigned(tx, op.next!);
  fsm.op = undefined;
  fsm.next('open');
}

/** maybe_check_auth/6: report the failed check, then fail the update as a validation error. */
function invalidSignature(fsm: ChannelFsm, error: string, msgType: 'update' | 'update_ack'): void {
  fsm.report({ kind: 'error', message: error });
  handleRecoverableError(fsm, { code: ErrorCode.VALIDATION, msgType });
}

export function awaitingUpdateAck(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind === 'peer') {
    const { msg } = event;
    switch (msg.type) {
      case 'update':
        // The peer's own update crossed ours.
        return handleUpdateConflict(fsm, 'update');
      case 'update_ack':
        return peerUpdateAck(fsm, msg.msg);
      case 'update_error':
        if (msg.msg.channelId !== fsm.channelId) return fsm.stop();
        fallbackToStableState(fsm);
        fsm.report({ kind: 'conflict', code: msg.msg.errorCode, round: msg.msg.round });
        return fsm.next('open');
    }
  }
  handleCommonEvent(fsm, event);
}

function peerUpdateAck(fsm: ChannelFsm, msg: SignedTxMsg): void {
  const op = fsm.op;
  const half = fsm.channel.halfSigned;
  const both = [fsm.options.initiator, fsm.options.responder];
  const valid = op?.kind === 'ack' && half !== undefined && msg.channelId === fsm.channelId && sameTx(msg.tx, half) && signedByAll(msg.tx, fsm.chain.networkId, both);
  if (!valid) return handleUpdateConflict(fsm, 'update_ack');
  fsm.channel.setSigned(msg.tx, op.next!);
  fsm.op = undefined;
  fsm.next('open');
}

