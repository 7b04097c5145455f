/**
 * The txs one participant puts on chain alone (aesc_fsm close_solo, snapshot_solo, slash, settle):
 * built on its client's request from the latest co-signed state, posted once signed, and told
 * apart when the chain reports a solo close. Any state serves them, so they sit below the states.
 */
import { Tag, unpackTx, type Encoded } from '@ch/codec';
import { innerTx, signedByAll, unexpectedTx } from './auth.js';
import type { CallError, CallResult, ClientCall, SoloRequest } from './events.js';
import type { ChannelFsm, SignOp } from './fsm.js';
import { watcherOf } from './min-depth.js';
import { ErrorCode, handleRecoverableError, invalidSignature } from './recovery.js';
import { SOLO_SIGN_TAGS } from './solo-tags.js';
import { settleTx, snapshotSoloTx, soloCloseTx, TxBuildError } from './txs.js';

type SoloCall = Extract<ClientCall, { type: Exclude<SoloRequest, 'shutdown'> }>;

/** The calls any state serves: close_solo and snapshot_solo unless closing, slash and settle only then. */
export function soloRequest(fsm: ChannelFsm, call: SoloCall, reply: (r: CallResult) => void): void {
  let tx: Encoded<'tx'>;
  try {
    tx = soloTx(fsm, call);
  } catch (e) {
    if (e instanceof SoloRefused) return reply({ ok: false, error: e.error });
    if (e instanceof TxBuildError) return reply({ ok: false, error: 'internal' });
    throw e;
  }
  reply({ ok: true });
  if (fsm.requestSigning(SOLO_SIGN_TAGS[call.type], tx, [])) fsm.ongoingUpdate = true;
}

/** A solo request the channel's state does not allow; `internal` for the node's unmapped reasons (channel_closing, …). */
class SoloRefused extends Error {
  constructor(readonly error: CallError) {
    super(`solo request refused: ${error}`);
  }
}

function soloTx(fsm: ChannelFsm, call: SoloCall): Encoded<'tx'> {
  const closing = fsm.state === 'channel_closing';
  if (closing !== (call.type === 'slash' || call.type === 'settle')) throw new SoloRefused('internal');
  const signed = fsm.channel.signed;
  if (signed === undefined) throw new SoloRefused('internal');
  const ctx = fsm.txContext(call.opts);
  const payload = unpackTx(signed.tx, Tag.SignedTx);
  const onChainRound = fsm.chain.channel(fsm.channelId!)?.round;
  switch (call.type) {
    case 'close_solo':
      // The state on chain needs no payload: the PoI alone proves its balances.
      return soloCloseTx('close_solo', ctx, signed.round === onChainRound ? null : payload, fsm.channel.trees);
    case 'slash':
      return soloCloseTx('slash', ctx, payload, fsm.channel.trees);
    case 'settle':
      return settleTx(ctx, fsm.options.initiator, fsm.options.responder, fsm.channel.trees);
    case 'snapshot_solo':
      if (payload.encodedTx.tag !== Tag.ChannelOffChainTx) throw new SoloRefused('not_offchain_tx');
      if (onChainRound === undefined || signed.round <= onChainRound) throw new SoloRefused('already_onchain');
      return snapshotSoloTx(ctx, payload);
  }
}

/** Our client signed a solo tx: post it if the channel allows, and go on (close_solo_signed/3 and kin). */
export function soloTxSigned(fsm: ChannelFsm, op: SignOp, tx: Encoded<'tx'>): void {
  const channel = fsm.chain.channel(fsm.channelId!);
  // is_channel_locked/1: a lock that has not expired at the top block.
  const locked = channel !== undefined && channel.lockedUntil !== 0n && channel.lockedUntil >= BigInt(fsm.chain.height());
  switch (op.tag) {
    case 'snapshot_solo_tx':
      if (!signedByAll(tx, fsm.chain.networkId, [fsm.myAccount]) || channel === undefined || channel.lockedUntil !== 0n) return done(fsm, 'open');
      return post(fsm, tx, 'open');
    case 'close_solo_tx':
      return locked ? done(fsm, 'open') : post(fsm, tx, 'open');
    case 'slash_tx':
      return post(fsm, tx, 'channel_closing');
    case 'settle_tx': {
      const error = unexpectedTx(tx, op.tx) ?? (signedByAll(tx, fsm.chain.networkId, [fsm.myAccount]) ? undefined : 'bad_signature');
      if (error !== undefined) return invalidSignature(fsm, error, op.tag);
      if (!locked) return post(fsm, tx, 'channel_closing');
      // Posted once the lock expires.
      fsm.op = { kind: 'unlock', tx, updates: [] };
      watcherOf(fsm).unlock();
      return fsm.next('channel_closing');
    }
  }
}

function done(fsm: ChannelFsm, next: 'open' | 'channel_closing'): void {
  fsm.op = undefined;
  fsm.next(next);
}

/** try_to_push_to_mempool/5 for a solo tx: signed by us and taken by the chain, or a conflict reported to our client alone. */
function post(fsm: ChannelFsm, tx: Encoded<'tx'>, next: 'open' | 'channel_closing'): void {
  const tag = fsm.op?.kind === 'sign' ? fsm.op.tag : undefined;
  try {
    if (!signedByAll(tx, fsm.chain.networkId, [fsm.myAccount])) throw new Error('not signed by us');
    fsm.chain.submit(tx);
  } catch {
    return handleRecoverableError(fsm, { code: ErrorCode.ONCHAIN_REJECTED, respond: false, ...(tag && { msgType: tag }), next });
  }
  done(fsm, next);
}

/**
 * check_closing_event/3: a solo close (or slash) on chain. With a later co-signed state than the
 * one it closes on, our client can slash; otherwise it is a proper solo close.
 */
export function channelClosingOnChain(fsm: ChannelFsm, tx: Encoded<'tx'>, round: bigint): void {
  const signed = fsm.channel.signed;
  if (signed !== undefined && signed.round > round) fsm.report({ kind: 'on_chain_tx', info: 'can_slash', tx: signed.tx });
  else fsm.report({ kind: 'on_chain_tx', info: 'solo_closing', tx });
  fsm.next('channel_closing');
}

/** Whether `tx` is a solo tx our client posted: a snapshot of ours is watched to its minimum depth. */
export function isOwnSnapshot(fsm: ChannelFsm, tx: Encoded<'tx'>): boolean {
  const inner = innerTx(tx);
  return inner.tag === Tag.ChannelSnapshotSoloTx && inner.fromId === fsm.myAccount;
}

