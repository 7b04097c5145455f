/**
 * Opening a channel (aesc_fsm states awaiting_connect … signed): channel_open / channel_accept,
 * the create tx signed by the initiator (funding_created) then by the responder (funding_signed),
 * the initiator's push to the chain, and funding_locked from each side once the tx is deep enough.
 */
import { channelIdFromCreateTx, encode, Tag, txHash, unpackTx, type Encoded } from '@ch/codec';
import { innerTx, signedByAll, unexpectedTx } from './auth.js';
import { handleCommonEvent } from './common.js';
import type { FsmEvent } from './events.js';
import type { ChannelFsm } from './fsm.js';
import type { ChannelAcceptMsg, ChannelOpenMsg, SignedTxMsg } from './peer-messages.js';
import { createTx } from './txs.js';

/** aec_tx_pool:minimum_miner_gas_price/0: the divisor of the txfee minimum depth. */
const MIN_GAS_PRICE = 1_000_000_000;
/** aesc_fsm `default_minimum_depth/1`. */
const DEFAULT_MINIMUM_DEPTH = { txfee: 10n, plain: 3n } as const;

/** Initiator: the session reached the responder; propose the channel. */
export function awaitingConnect(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind !== 'connected') return handleCommonEvent(fsm, event);
  const o = fsm.options;
  fsm.peer = event.peer;
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
  const strategy = fsm.options.minimumDepthStrategy ?? 'txfee';
  const accept: ChannelAcceptMsg = {
    temporaryChannelId: msg.temporaryChannelId,
    minimumDepth: fsm.options.minimumDepth ?? DEFAULT_MINIMUM_DEPTH[strategy],
    minimumDepthStrategy: strategy,
  };
  fsm.minimumDepthParams = accept;
  fsm.send({ type: 'channel_accept', msg: accept });
  fsm.next('accepted');
}

/** Initiator: the responder agreed; build the create tx for our client to sign. */
export function initialized(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind !== 'peer' || event.msg.type !== 'channel_accept') return handleCommonEvent(fsm, event);
  const msg = event.msg.msg;
  if (msg.temporaryChannelId !== fsm.temporaryChannelId) return fsm.stop();
  fsm.minimumDepthParams = msg;
  fsm.report({ kind: 'info', event: 'channel_accept' });
  fsm.requestSigning('create_tx', createTx(fsm.options, fsm.channel.trees, fsm.profile.createTxVersion, fsm.chain), []);
}

/** Initiator's client signed the create tx: pass it to the responder. */
export function createTxSigned(fsm: ChannelFsm, tx: Encoded<'tx'>, proposed: Encoded<'tx'>): void {
  const error = unexpectedTx(tx, proposed) ?? (signedByAll(tx, fsm.chain.networkId, [fsm.options.initiator]) ? undefined : 'bad_signature');
  // The client may sign again: the FSM keeps waiting (maybe_check_sigs_create/5).
  if (error !== undefined) return fsm.report({ kind: 'error', message: error });
  fsm.channelId = channelIdFromCreateTx(unpackTx(tx));
  fsm.op = { kind: 'ack', tag: 'create_tx', tx, updates: [] };
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
  fsm.requestSigning('funding_created', tx, []);
}

/** Responder's client co-signed: watch the chain for the tx, tell the initiator. */
export function fundingCreatedSigned(fsm: ChannelFsm, tx: Encoded<'tx'>, proposed: Encoded<'tx'>): void {
  const error = unexpectedTx(tx, proposed) ?? (signedByAll(tx, fsm.chain.networkId, [fsm.options.initiator, fsm.options.responder]) ? undefined : 'bad_signature');
  if (error !== undefined) return fsm.report({ kind: 'error', message: error });
  fsm.op = undefined;
  watchFunding(fsm, tx);
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
  watchFunding(fsm, tx);
  fsm.report({ kind: 'on_chain_tx', info: 'funding_signed', tx });
  fsm.next('awaiting_locked');
}

/** Both: the create tx is deep enough here; tell the peer, then wait for its word. */
export function awaitingLocked(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind === 'peer' && event.msg.type === 'funding_locked') return fsm.postpone();
  if (event.kind === 'chain' && event.event.type === 'minimum_depth_achieved' && event.event.txHash === fsm.watch?.txHash) {
    fsm.report({ kind: 'info', event: 'own_funding_locked' });
    fsm.send({ type: 'funding_locked', msg: { channelId: fsm.channelId!, txHash: event.event.txHash } });
    return fsm.next('signed');
  }
  handleCommonEvent(fsm, event);
}

/** Both: the peer saw it locked too; the create tx becomes round 1 and the channel opens. */
export function signed(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind !== 'peer' || event.msg.type !== 'funding_locked') return handleCommonEvent(fsm, event);
  const watch = fsm.watch;
  if (watch === undefined || event.msg.msg.channelId !== fsm.channelId || event.msg.msg.txHash !== watch.txHash) return fsm.stop();
  fsm.report({ kind: 'info', event: 'funding_locked' });
  fsm.watch = undefined;
  fsm.channel.setSigned(watch.tx, fsm.channel.trees);
  fsm.next('open');
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

/**
 * Asks the chain to tell us when the create tx is in a block and when it is deep enough
 * (aesc_fsm `watcher_request/4`). With the `txfee` strategy the depth grows with the fee.
 */
function watchFunding(fsm: ChannelFsm, tx: Encoded<'tx'>): void {
  const hash = txHash(tx);
  fsm.watch = { tag: 'funding', tx, txHash: hash };
  const inner = innerTx(tx);
  const depth = minimumDepth(fsm.minimumDepthParams, 'fee' in inner ? inner.fee : 0n);
  const inBlock = fsm.chain.waitForDepth(hash, 0);
  inBlock.then(() => fsm.deliver({ kind: 'chain', event: { type: 'channel_changed', tx, txHash: hash } }), () => undefined);
  fsm.chain.waitForDepth(hash, depth).then(
    () => fsm.deliver({ kind: 'chain', event: { type: 'minimum_depth_achieved', txHash: hash } }),
    () => undefined,
  );
}

/** aesc_fsm `min_depth/3`: `plain` takes the number as is; `txfee` takes the n-th root of fee / gas price. */
function minimumDepth(params: ChannelAcceptMsg | undefined, fee: bigint): number {
  if (params === undefined) return 1;
  const factor = Number(params.minimumDepth);
  if (params.minimumDepthStrategy === 'plain') return Math.max(factor, 1);
  if (factor <= 0) return 1;
  return Math.max(Math.ceil(Math.pow(Number(fee) / MIN_GAS_PRICE, 1 / factor)), 1);
}
