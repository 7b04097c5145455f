/**
 * Opening a channel (aesc_fsm states awaiting_connect … signed): channel_open / channel_accept,
 * the create tx signed by the initiator (funding_created) then by the responder (funding_signed),
 * and the initiator's push to the chain; locking.ts waits for the tx to be deep enough.
 */
import { channelIdFromCreateTx, encode, Tag, unpackTx, type Encoded } from '@ch/codec';
import { innerTx, signedByAll, unexpectedTx } from './auth.js';
import { handleCommonEvent } from './common.js';
import type { FsmEvent } from './events.js';
import type { ChannelFsm } from './fsm.js';
import { DEFAULT_MINIMUM_DEPTH, watchMinDepth } from './min-depth.js';
import type { ChannelAcceptMsg, ChannelOpenMsg, SignedTxMsg } from './peer-messages.js';
import { reestablishing, sendReestablish } from './reestablish.js';
import { createTx } from './txs.js';

/** Initiator: the session reached the responder; propose the channel, or ask to reestablish it. */
export function awaitingConnect(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind !== 'connected') return handleCommonEvent(fsm, event);
  const o = fsm.options;
  fsm.peer = event.peer;
  if (reestablishing(fsm)) return sendReestablish(fsm);
  fsm.temporaryChannelId = encode(globalThis.crypto.getRandomValues(new Uint8Array(32)), 'ch');
  const msg: ChannelOpenMsg = {
    temporaryChannelId: fsm.temporaryChannelId,
    lockPeriod: o.lockPeriod,
    pushAmount: o.pushAmount,
    initiatorAmount: o.initiatorAmount,
    responderAmount: o.responderAmount,
    channelReserve: o.channelReserve,
    initiator: o.initiator,
    responder: o.responder,
  };
  fsm.send({ type: 'channel_open', msg });
  fsm.next('initialized');
}

/** Responder: accept a proposal that matches our own parameters, and set the minimum depth. */
export function awaitingOpen(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind !== 'peer' || event.msg.type !== 'channel_open') return handleCommonEvent(fsm, event);
  const msg = event.msg.msg;
  if (!matchesOptions(fsm, msg)) return fsm.stop();
  fsm.temporaryChannelId = msg.temporaryChannelId;
  fsm.report({ kind: 'info', event: 'channel_open' });
  const accept: ChannelAcceptMsg = { temporaryChannelId: msg.temporaryChannelId, ...ownMinimumDepth(fsm) };
  fsm.minimumDepthParams = accept;
  fsm.send({ type: 'channel_accept', msg: accept });
  fsm.next('accepted');
}

/** Initiator: the responder agreed; build the create tx for our client to sign. */
export function initialized(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind !== 'peer' || event.msg.type !== 'channel_accept') return handleCommonEvent(fsm, event);
  const msg = event.msg.msg;
  if (msg.temporaryChannelId !== fsm.temporaryChannelId) return fsm.stop();
  // maybe_use_minimum_depth_params/2: an initiator with minimum depth options of its own keeps them.
  fsm.minimumDepthParams = fsm.options.minimumDepth !== undefined || fsm.options.minimumDepthStrategy !== undefined ? { ...msg, ...ownMinimumDepth(fsm) } : msg;
  fsm.report({ kind: 'info', event: 'channel_accept' });
  let tx: Encoded<'tx'>;
  try {
    tx = createTx(fsm.options, fsm.channel.trees, fsm.profile.createTxVersion, fsm.chain);
  } catch {
    // A fee below the protocol's minimum: the node's FSM crashes on it.
    return fsm.stop();
  }
  if (!fsm.requestSigning('create_tx', tx, [])) fsm.stop();
}

/** Initiator's client signed the create tx: pass it to the responder. */
export function createTxSigned(fsm: ChannelFsm, tx: Encoded<'tx'>, proposed: Encoded<'tx'>): void {
  const error = unexpectedTx(tx, proposed) ?? (signedByAll(tx, fsm.chain.networkId, [fsm.options.initiator]) ? undefined : 'bad_signature');
  // The client may sign again: the FSM keeps waiting (maybe_check_sigs_create/5).
  if (error !== undefined) return fsm.report({ kind: 'error', message: error });
  fsm.channelId = channelIdFromCreateTx(unpackTx(tx));
  fsm.op = { kind: 'ack', tag: 'create_tx', tx, updates: [] };
  fsm.clientMayDisconnect = true;
  fsm.send({ type: 'funding_created', msg: { channelId: fsm.temporaryChannelId!, tx, updates: [] } });
  fsm.next('half_signed');
}

/** Responder: the initiator's signed create tx; have our client co-sign it. */
export function accepted(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind !== 'peer' || event.msg.type !== 'funding_created') return handleCommonEvent(fsm, event);
  const { tx } = event.msg.msg;
  if (!isOurCreateTx(fsm, event.msg.msg) || !signedByAll(tx, fsm.chain.networkId, [fsm.options.initiator])) return fsm.stop();
  fsm.channelId = channelIdFromCreateTx(unpackTx(tx));
  fsm.report({ kind: 'info', event: 'funding_created', fsmId: fsm.fsmId });
  if (!fsm.requestSigning('funding_created', tx, [])) fsm.stop();
}

/** Responder's client co-signed: watch the chain for the tx, tell the initiator. */
export function fundingCreatedSigned(fsm: ChannelFsm, tx: Encoded<'tx'>, proposed: Encoded<'tx'>): void {
  const error = unexpectedTx(tx, proposed) ?? (signedByAll(tx, fsm.chain.networkId, [fsm.options.initiator, fsm.options.responder], proposed) ? undefined : 'bad_signature');
  if (error !== undefined) return fsm.report({ kind: 'error', message: error });
  fsm.op = undefined;
  fsm.clientMayDisconnect = true;
  watchMinDepth(fsm, 'funding', { tx, updates: [] });
  fsm.send({ type: 'funding_signed', msg: { channelId: fsm.temporaryChannelId!, tx, updates: [] } });
  fsm.report({ kind: 'on_chain_tx', info: 'funding_created', tx });
  fsm.next('awaiting_locked');
}

/** Initiator: the co-signed create tx is back; put it on chain. */
export function halfSigned(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind !== 'peer' || event.msg.type !== 'funding_signed') return handleCommonEvent(fsm, event);
  const { tx } = event.msg.msg;
  const proposed = fsm.op?.tx;
  const both = [fsm.options.initiator, fsm.options.responder];
  if (proposed === undefined || unexpectedTx(tx, proposed) !== undefined || !signedByAll(tx, fsm.chain.networkId, both)) return fsm.stop();
  try {
    fsm.chain.submit(tx);
  } catch {
    return fsm.stop();
  }
  fsm.op = undefined;
  fsm.report({ kind: 'info', event: 'funding_signed', fsmId: fsm.fsmId });
  watchMinDepth(fsm, 'funding', { tx, updates: [] });
  fsm.report({ kind: 'on_chain_tx', info: 'funding_signed', tx });
  fsm.next('awaiting_locked');
}

/** check_minimum_depth_opt/1: a missing strategy is txfee, a missing depth the strategy's default. */
function ownMinimumDepth(fsm: ChannelFsm): Omit<ChannelAcceptMsg, 'temporaryChannelId'> {
  const strategy = fsm.options.minimumDepthStrategy ?? 'txfee';
  return { minimumDepth: fsm.options.minimumDepth ?? DEFAULT_MINIMUM_DEPTH[strategy], minimumDepthStrategy: strategy };
}

function matchesOptions(fsm: ChannelFsm, msg: ChannelOpenMsg): boolean {
  const o = fsm.options;
  return (
    msg.initiator === o.initiator &&
    msg.responder === o.responder &&
    msg.initiatorAmount === o.initiatorAmount &&
    msg.responderAmount === o.responderAmount &&
    msg.pushAmount === o.pushAmount &&
    msg.channelReserve === o.channelReserve &&
    msg.lockPeriod === o.lockPeriod
  );
}

/** The responder's check of funding_created: our channel, our terms, the agreed initial state. */
function isOurCreateTx(fsm: ChannelFsm, msg: SignedTxMsg): boolean {
  if (msg.channelId !== fsm.temporaryChannelId) return false;
  try {
    const tx = innerTx(msg.tx);
    const o = fsm.options;
    return (
      tx.tag === Tag.ChannelCreateTx &&
      tx.initiatorId === o.initiator &&
      tx.responderId === o.responder &&
      tx.initiatorAmount === o.initiatorAmount &&
      tx.responderAmount === o.responderAmount &&
      tx.channelReserve === o.channelReserve &&
      tx.lockPeriod === o.lockPeriod &&
      tx.stateHash === encode(fsm.channel.trees.stateHash(), 'st')
    );
  } catch {
    return false;
  }
}
