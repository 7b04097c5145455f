/**
 * Deposits and withdrawals: exchanges of updates.ts whose co-signed tx goes on chain. The proposer
 * deposits into (or withdraws to) its own account; the acknowledging side watches for the tx,
 * the proposer posts it; the round is the channel's once both have seen it deep enough (locking.ts).
 */
import type { Encoded, OffChainUpdate } from '@ch/codec';
import type { ClientCall } from './events.js';
import { signedOp, type ChannelFsm, type SignOp } from './fsm.js';
import { watchMinDepth } from './min-depth.js';
import { ErrorCode, handleRecoverableError } from './recovery.js';
import { fundingTx, metaUpdates, type Proposal } from './txs.js';

export type FundingKind = 'deposit' | 'withdraw';

/** handle_call_(open, upd_deposit | upd_withdraw): to or from our own account. */
export function fundingProposal(fsm: ChannelFsm, call: Extract<ClientCall, { type: FundingKind }>): Proposal {
  const account = fsm.myAccount;
  const update: OffChainUpdate = call.type === 'deposit' ? { op: 'OffChainDeposit', from: account, amount: call.amount } : { op: 'OffChainWithdrawal', to: account, amount: call.amount };
  const updates = [update, ...metaUpdates(call.meta)];
  const next = fsm.channel.apply(updates);
  return { tx: fundingTx(call.type, fsm.txContext(call.opts), call.amount, fsm.channel.round + 1n, next), updates, next };
}

/** Acknowledging side, its client co-signed: watch for the tx, send it back, wait for it to lock. */
export function fundingAcked(fsm: ChannelFsm, kind: FundingKind, op: SignOp, tx: Encoded<'tx'>): void {
  const created = `${kind}_created` as const;
  fsm.op = signedOp(op, tx);
  watchMinDepth(fsm, kind, { tx, updates: op.updates, ...(op.next && { next: op.next }) });
  fsm.send({ type: `${kind}_signed`, msg: { channelId: fsm.channelId!, tx, updates: [] } });
  fsm.report({ kind: 'on_chain_tx', info: created, tx });
  fsm.next('awaiting_locked');
}

/** Proposing side, the co-signed tx is back: post it (try_to_push_to_mempool/5) and wait for it to lock. */
export function coSignedFunding(fsm: ChannelFsm, kind: FundingKind, tx: Encoded<'tx'>): void {
  const op = fsm.op!;
  try {
    fsm.chain.submit(tx);
  } catch {
    // Refused by the chain: both sides fall back; the peer hears of it since the tx is mutual.
    return handleRecoverableError(fsm, { code: ErrorCode.ONCHAIN_REJECTED, respond: true, msgType: `${kind}_tx` });
  }
  watchMinDepth(fsm, kind, { tx, updates: op.updates, ...(op.next && { next: op.next }) });
  fsm.report({ kind: 'on_chain_tx', info: `${kind}_signed`, tx });
  fsm.next('awaiting_locked');
}
