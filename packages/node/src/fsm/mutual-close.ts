/**
 * Closing a channel together (aesc_fsm `shutdown`, states mutual_closing and mutual_closed): one
 * client signs a close mutual tx paying out the latest balances less the fee, the peer's client
 * co-signs it, the proposer posts it. The channel then waits for the tx to close it on chain.
 */
import type { Encoded } from '@ch/codec';
import { sameTx, signedByAll, unexpectedTx } from './auth.js';
import { handleCommonEvent } from './common.js';
import type { CallResult, FsmEvent, OnChainOptions } from './events.js';
import { signedOp, type ChannelFsm, type SignOp } from './fsm.js';
import { fsmContext, judgeChannelTx } from './judge.js';
import type { RecoverableErrorMsg, SignedTxMsg } from './peer-messages.js';
import { ErrorCode, fallbackToStableState, handleRecoverableError, invalidSignature } from './recovery.js';
import { closeMutualTx, TxBuildError } from './txs.js';

function closeTx(fsm: ChannelFsm, account: Encoded<'ak'>, opts: OnChainOptions): Encoded<'tx'> {
  return closeMutualTx(fsm.txContext(opts, account), fsm.options.initiator, fsm.options.responder, fsm.channel.trees);
}

/** `channels.shutdown` in open (or in channel_closing, from Lima on). */
export function shutdown(fsm: ChannelFsm, opts: OnChainOptions, reply: (r: CallResult) => void): void {
  let tx: Encoded<'tx'>;
  try {
    tx = closeTx(fsm, fsm.myAccount, opts);
  } catch (e) {
    if (!(e instanceof TxBuildError)) throw e;
    // A fee above both balances: insufficient_balance (3, data 1001), as the node's close_mutual_tx_for_signing refuses it.
    return reply({ ok: false, error: e.reason === 'insufficient_balance' ? 'insufficient_balance' : 'internal' });
  }
  reply({ ok: true });
  if (fsm.requestSigning('shutdown', tx, [])) fsm.ongoingUpdate = true;
}

/** Our client signed our close mutual tx: the peer co-signs it next. */
export function shutdownSigned(fsm: ChannelFsm, op: SignOp, tx: Encoded<'tx'>): void {
  const error = unexpectedTx(tx, op.tx) ?? (signedByAll(tx, fsm.chain.networkId, [fsm.myAccount]) ? undefined : 'bad_signature');
  if (error !== undefined) return invalidSignature(fsm, error, 'shutdown');
  fsm.send({ type: 'shutdown', msg: { channelId: fsm.channelId!, tx, updates: [] } });
  fsm.op = signedOp(op, tx);
  fsm.next('mutual_closing');
}

/**
 * The peer's shutdown (shutdown_msg_received/2): a close mutual tx equal to the one we would build
 * with its nonce and fee, signed by the peer. A bad one is a validation error the peer hears of;
 * in channel_closing it is ignored.
 */
export function shutdownReceived(fsm: ChannelFsm, msg: SignedTxMsg): void {
  if (!validShutdown(fsm, msg)) {
    if (fsm.state === 'channel_closing') return;
    return handleRecoverableError(fsm, { code: ErrorCode.VALIDATION, respond: true, msgType: 'shutdown' });
  }
  fsm.report({ kind: 'info', event: 'shutdown' });
  fsm.requestSigning('shutdown_ack', msg.tx, []);
}

/** The rule book's verdict (judge.ts), then the node's own: the very tx it would build with the peer's nonce and fee (fake_close_mutual_tx/3). */
function validShutdown(fsm: ChannelFsm, msg: SignedTxMsg): boolean {
  if (msg.channelId !== fsm.channelId) return false;
  const other = fsm.otherAccount;
  const verdict = judgeChannelTx(fsmContext(fsm), { kind: 'close_mutual', origin: other, signers: [other] }, msg.tx, []);
  if (!verdict.ok) return false;
  try {
    const expected = closeTx(fsm, other, { fee: verdict.effect.fee, nonce: verdict.effect.nonce! });
    return unexpectedTx(msg.tx, expected) === undefined;
  } catch {
    return false;
  }
}

/** Our client co-signed the peer's close: the peer posts it; we wait for the channel to close. */
export function shutdownAckSigned(fsm: ChannelFsm, op: SignOp, tx: Encoded<'tx'>): void {
  const error = unexpectedTx(tx, op.tx) ?? (signedByAll(tx, fsm.chain.networkId, fsm.participants) ? undefined : 'bad_signature');
  if (error !== undefined) return invalidSignature(fsm, error, 'shutdown_ack');
  fsm.send({ type: 'shutdown_ack', msg: { channelId: fsm.channelId!, tx, updates: [] } });
  fsm.report({ kind: 'on_chain_tx', info: 'close_mutual', tx });
  fsm.op = { kind: 'close', tx, updates: [] };
  fsm.next('mutual_closed');
}

/** The proposer waits for the co-signed close. */
export function mutualClosing(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind === 'timeout' && event.state === fsm.state && fsm.channelStatus === 'closing') return fsm.next('channel_closing');
  if (event.kind === 'peer' && event.msg.type === 'shutdown_ack') return coSignedClose(fsm, event.msg.msg);
  if (event.kind === 'peer' && event.msg.type === 'shutdown_error') {
    if (event.msg.msg.errorCode !== ErrorCode.ONCHAIN_REJECTED) return closeRefused(fsm, event.msg.msg);
    return handleRecoverableError(fsm, { code: ErrorCode.ONCHAIN_REJECTED, respond: false });
  }
  handleCommonEvent(fsm, event);
}

function coSignedClose(fsm: ChannelFsm, msg: SignedTxMsg): void {
  const op = fsm.op;
  const valid = op?.kind === 'ack' && msg.channelId === fsm.channelId && sameTx(msg.tx, op.tx) && signedByAll(msg.tx, fsm.chain.networkId, fsm.participants);
  if (!valid) return handleRecoverableError(fsm, { code: ErrorCode.VALIDATION, respond: true, msgType: 'shutdown_ack' });
  try {
    fsm.chain.submit(msg.tx);
  } catch {
    return handleRecoverableError(fsm, { code: ErrorCode.ONCHAIN_REJECTED, respond: true, msgType: 'shutdown' });
  }
  fsm.report({ kind: 'on_chain_tx', info: 'close_mutual', tx: msg.tx });
  fsm.op = { kind: 'close', tx: msg.tx, updates: [] };
  fsm.next('mutual_closed');
}

/** Both wait for the chain; only the peer's word that the close failed, or the timer, ends the wait. */
export function mutualClosed(fsm: ChannelFsm, event: FsmEvent): void {
  if (event.kind === 'peer' && event.msg.type === 'shutdown_error') return closeRefused(fsm, event.msg.msg);
  if (event.kind === 'timeout' && event.state === fsm.state) return fsm.close('timeout');
  handleCommonEvent(fsm, event);
}

/**
 * mutual_close_error/2: a close already on its way to the chain stands; one that never reached
 * it (the peer refused to co-sign, or could not post) is given up, back in `open`.
 */
function closeRefused(fsm: ChannelFsm, msg: RecoverableErrorMsg): void {
  const conflict = () => fsm.report({ kind: 'conflict', code: msg.errorCode, round: msg.round });
  const op = fsm.op;
  const ours = op?.kind === 'close' || (op?.kind === 'ack' && op.tag === 'shutdown') ? op.tx : undefined;
  if (msg.channelId !== fsm.channelId || (ours !== undefined && fsm.chain.knowsTx(ours))) return conflict();
  if (ours !== undefined && signedByAll(ours, fsm.chain.networkId, fsm.participants)) {
    try {
      fsm.chain.submit(ours);
      return;
    } catch {
      // Refused: the close is off.
    }
  }
  fallbackToStableState(fsm);
  conflict();
  fsm.next('open');
}
