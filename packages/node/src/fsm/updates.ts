/**
 * The exchanges that move the channel to a new round (aesc_fsm states open, awaiting_signature,
 * awaiting_update_ack, dep_half_signed, wdraw_half_signed): one client proposes, its FSM sends the
 * signed proposal to the peer, whose client co-signs it. Off-chain updates take the round at once;
 * deposits and withdrawals (deposits.ts) go on chain first. Proposals crossing each other are a
 * conflict; so is a peer proposal that does not check out.
 */
import { UpdateRejectedError, type Encoded, type OffChainState, type OffChainUpdate } from '@ch/codec';
import { sameTx, signedByAll, unexpectedTx } from './auth.js';
import { handleCommonEvent } from './common.js';
import { coSignedFunding, fundingAcked, fundingProposal } from './deposits.js';
import { UPDATE_REQUESTS, type CallError, type CallResult, type ClientCall, type FsmEvent, type SignTag } from './events.js';
import { signedOp, type ChannelFsm, type SignOp } from './fsm.js';
import { fsmContext, judgeChannelTx } from './judge.js';
import { isErrorMsg, UPDATE_STARTS, type RecoverableErrorMsg, type SignedTxMsg, type SignedTxMsgType } from './peer-messages.js';
import { errorMsgType, fallbackToStableState, handleUpdateConflict, invalidSignature } from './recovery.js';
import type { StateName } from './states.js';
import { isSoloTag } from './solo-tags.js';
import { metaUpdates, offChainTx, TxBuildError, type Proposal } from './txs.js';

/** An exchange by the tag of the proposer's signing request. */
export type ExchangeTag = 'update' | 'deposit_tx' | 'withdraw_tx';

interface Exchange {
  /** The peer message carrying the proposal; also the acknowledging side's info event and sign tag. */
  readonly proposal: 'update' | 'deposit_created' | 'withdraw_created';
  readonly ack: 'update_ack' | 'deposit_created' | 'withdraw_created';
  /** The peer message carrying the co-signed tx back. */
  readonly coSigned: 'update_ack' | 'deposit_signed' | 'withdraw_signed';
  /** Where the proposer waits for it. */
  readonly waiting: StateName;
  readonly kind: 'offchain' | 'deposit' | 'withdraw';
}

const EXCHANGES: { readonly [T in ExchangeTag]: Exchange } = {
  update: { proposal: 'update', ack: 'update_ack', coSigned: 'update_ack', waiting: 'awaiting_update_ack', kind: 'offchain' },
  deposit_tx: { proposal: 'deposit_created', ack: 'deposit_created', coSigned: 'deposit_signed', waiting: 'dep_half_signed', kind: 'deposit' },
  withdraw_tx: { proposal: 'withdraw_created', ack: 'withdraw_created', coSigned: 'withdraw_signed', waiting: 'wdraw_half_signed', kind: 'withdraw' },
};

const BY_PROPOSAL: ReadonlyMap<string, ExchangeTag> = new Map(Object.entries(EXCHANGES).map(([tag, e]) => [e.proposal, tag as ExchangeTag]));

export function isExchangeTag(tag: SignTag): tag is ExchangeTag {
  return tag in EXCHANGES;
}

/**
 * `update.new`, `deposit`, `withdraw` in `open` (handle_upd_transfer/6, upd_deposit, upd_withdraw):
 * the node replies before it sends the signing request.
 */
export function propose(fsm: ChannelFsm, call: Extract<ClientCall, { type: 'transfer' | 'deposit' | 'withdraw' }>, reply: (r: CallResult) => void): void {
  if (call.type === 'transfer' && !transferBetweenParticipants(fsm, call)) return reply({ ok: false, error: 'invalid_pubkeys' });
  let proposal: Proposal;
  try {
    proposal = call.type === 'transfer' ? transferProposal(fsm, call) : fundingProposal(fsm, call);
  } catch (e) {
    return reply({ ok: false, error: rejection(e, call.type) });
  }
  reply({ ok: true });
  const tag: ExchangeTag = call.type === 'transfer' ? 'update' : `${call.type}_tx`;
  if (fsm.requestSigning(tag, proposal.tx, proposal.updates, proposal.next)) fsm.ongoingUpdate = true;
}

function transferBetweenParticipants(fsm: ChannelFsm, { from, to }: { from: Encoded<'ak'>; to: Encoded<'ak'> }): boolean {
  return from !== to && fsm.participants.includes(from) && fsm.participants.includes(to);
}

function transferProposal(fsm: ChannelFsm, call: Extract<ClientCall, { type: 'transfer' }>): Proposal {
  const { from, to, amount, meta } = call;
  const updates: OffChainUpdate[] = [{ op: 'OffChainTransfer', from, to, amount }, ...metaUpdates(meta)];
  const next = fsm.channel.apply(updates);
  return { tx: offChainTx(fsm.channelId!, fsm.channel.round + 1n, next), updates, next };
}

/** Transfers are refused with the update's reason; deposits and withdrawals crash the node's call (-32603). */
function rejection(e: unknown, type: ClientCall['type']): CallError {
  if (!(e instanceof UpdateRejectedError || e instanceof TxBuildError)) throw e;
  if (type !== 'transfer' || e instanceof TxBuildError) return 'internal';
  if (e.reason === 'insufficient_balance' || e.reason === 'negative_amount') return e.reason;
  return 'invalid_pubkeys';
}

/** The peer proposes a round (open/3 ?UPDATE, ?DEP_CREATED, ?WDRAW_CREATED): check it, then ask to co-sign. */
export function peerProposal(fsm: ChannelFsm, type: SignedTxMsgType, msg: SignedTxMsg): void {
  const tag = BY_PROPOSAL.get(type)!;
  const { proposal, ack } = EXCHANGES[tag];
  const next = checkProposal(fsm, tag, msg);
  if (next === undefined) return handleUpdateConflict(fsm, proposal);
  fsm.report({ kind: 'info', event: proposal });
  if (!fsm.requestSigning(ack, msg.tx, msg.updates, next)) return handleUpdateConflict(fsm, proposal);
  fsm.ongoingUpdate = true;
}

/** check_update_msg/2 and kin: the rule book's verdict on the peer's tx (judge.ts), signed by the peer; the state it leads to. */
function checkProposal(fsm: ChannelFsm, tag: ExchangeTag, msg: SignedTxMsg): OffChainState | undefined {
  if (msg.channelId !== fsm.channelId) return undefined;
  const verdict = judgeChannelTx(fsmContext(fsm), { kind: EXCHANGES[tag].kind, signers: [fsm.otherAccount] }, msg.tx, msg.updates);
  return verdict.ok ? verdict.effect.state : undefined;
}

/**
 * While an exchange of ours (or the peer's we were asked to co-sign) waits for our client, a new
 * proposal races it. Solo txs are not updates: what arrives meanwhile waits for them.
 */
export function raceWhileSigning(fsm: ChannelFsm, event: FsmEvent): boolean {
  const op = fsm.op;
  if (!fsm.ongoingUpdate || op?.kind !== 'sign') return false;
  const peerProposes = event.kind === 'peer' && UPDATE_STARTS.has(event.msg.type);
  const clientProposes = event.kind === 'call' && UPDATE_REQUESTS.has(event.call.type);
  if (!peerProposes && !clientProposes) return false;
  if (isSoloTag(op.tag)) {
    fsm.postpone();
    return true;
  }
  if (event.kind === 'peer') {
    handleUpdateConflict(fsm, event.msg.type);
  } else if (event.kind === 'call') {
    // handle_call_(awaiting_signature, ?UPDATE_REQ): answered ok, then the pending exchange is dropped.
    event.reply({ ok: true });
    handleUpdateConflict(fsm, op.tag);
  }
  return true;
}

/** Our client signed our proposal: send it to the peer and wait for its co-signature. */
export function proposalSigned(fsm: ChannelFsm, tag: ExchangeTag, op: SignOp, tx: Encoded<'tx'>): void {
  const error = unexpectedTx(tx, op.tx) ?? (signedByAll(tx, fsm.chain.networkId, [fsm.myAccount]) ? undefined : 'bad_signature');
  if (error !== undefined) return invalidSignature(fsm, error, tag);
  const { proposal, waiting } = EXCHANGES[tag];
  if (tag === 'update') fsm.channel.setHalfSigned(tx);
  fsm.op = signedOp(op, tx);
  fsm.ongoingUpdate = true;
  fsm.send({ type: proposal, msg: { channelId: fsm.channelId!, tx, updates: op.updates } });
  fsm.next(waiting);
}

/** Our client co-signed the peer's proposal: an update takes the round now, a deposit or withdrawal once locked. */
export function ackSigned(fsm: ChannelFsm, op: SignOp, tx: Encoded<'tx'>): void {
  const error = unexpectedTx(tx, op.tx) ?? (signedByAll(tx, fsm.chain.networkId, fsm.participants, op.tx) ? undefined : 'bad_signature');
  if (error !== undefined) return invalidSignature(fsm, error, op.tag);
  if (op.tag !== 'update_ack') return fundingAcked(fsm, op.tag === 'deposit_created' ? 'deposit' : 'withdraw', op, tx);
  fsm.send({ type: 'update_ack', msg: { channelId: fsm.channelId!, tx, updates: [] } });
  fsm.channel.setSigned(tx, op.next!);
  fsm.op = undefined;
  fsm.next('open');
}

/** awaiting_update_ack, dep_half_signed, wdraw_half_signed: the proposer waits for the co-signed tx. */
export function awaitingCoSignature(fsm: ChannelFsm, event: FsmEvent): void {
  const op = fsm.op;
  if (event.kind !== 'peer' || op?.kind !== 'ack' || !isExchangeTag(op.tag)) return handleCommonEvent(fsm, event);
  const { msg } = event;
  const exchange = EXCHANGES[op.tag];
  // The peer's own proposal crossed ours.
  if (UPDATE_STARTS.has(msg.type)) return handleUpdateConflict(fsm, msg.type);
  if (msg.type === exchange.coSigned && 'tx' in msg.msg) return coSigned(fsm, op.tag, msg.msg);
  if (isErrorMsg(msg) && msg.type === errorMsgType(exchange.proposal)) return peerError(fsm, msg.msg);
  handleCommonEvent(fsm, event);
}

function coSigned(fsm: ChannelFsm, tag: ExchangeTag, msg: SignedTxMsg): void {
  const op = fsm.op!;
  const valid = msg.channelId === fsm.channelId && sameTx(msg.tx, op.tx) && signedByAll(msg.tx, fsm.chain.networkId, fsm.participants, op.tx);
  if (!valid) return handleUpdateConflict(fsm, EXCHANGES[tag].coSigned);
  if (tag !== 'update') return coSignedFunding(fsm, tag === 'deposit_tx' ? 'deposit' : 'withdraw', msg.tx);
  fsm.channel.setSigned(msg.tx, op.next!);
  fsm.op = undefined;
  fsm.next('open');
}

/** The peer refused our proposal (check_op_error_msg/3): back to the last agreed state, reporting its code. */
export function peerError(fsm: ChannelFsm, msg: RecoverableErrorMsg): void {
  if (msg.channelId !== fsm.channelId) return fsm.stop();
  fallbackToStableState(fsm);
  fsm.report({ kind: 'conflict', code: msg.errorCode, round: msg.round });
  fsm.next('open');
}
