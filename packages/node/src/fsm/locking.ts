/**
 * `awaiting_locked`, `signed`, `dep_signed`, `wdraw_signed`: a co-signed create, deposit or
 * withdraw tx on its way to its minimum depth. Each side tells the other once the tx is deep
 * enough here (`*_locked`); the round it sets becomes the channel's state once both have.
 */
import { txHash } from '@ch/codec';
import { handleCommonEvent } from './common.js';
import type { FsmEvent } from './events.js';
import type { ChannelFsm } from './fsm.js';
import { shutdownReceived } from './mutual-close.js';
import type { LockedMsg } from './peer-messages.js';
import { ErrorCode, handleRecoverableError } from './recovery.js';
import type { StateName } from './states.js';

type LockTag = 'funding' | 'deposit' | 'withdraw';

/** Per kind of tx: the state that waits for the peer's lock message, and that message. */
const LOCKS: { readonly [T in LockTag]: { state: StateName; msg: 'funding_locked' | 'deposit_locked' | 'withdraw_locked'; error?: 'deposit_error' | 'withdraw_error' } } = {
  funding: { state: 'signed', msg: 'funding_locked' },
  deposit: { state: 'dep_signed', msg: 'deposit_locked', error: 'deposit_error' },
  withdraw: { state: 'wdraw_signed', msg: 'withdraw_locked', error: 'withdraw_error' },
};

function isLockTag(tag: string | undefined): tag is LockTag {
  return tag === 'funding' || tag === 'deposit' || tag === 'withdraw';
}

export function awaitingLocked(fsm: ChannelFsm, event: FsmEvent): void {
  const chainOp = fsm.chainOp;
  const tag = chainOp !== undefined && isLockTag(chainOp.tag) ? chainOp.tag : undefined;
  if (event.kind === 'chain' && event.event.type === 'minimum_depth_achieved' && tag !== undefined && event.event.txHash === chainOp!.txHash) {
    const { tx, updates, next, txHash } = chainOp!;
    const { state, msg } = LOCKS[tag];
    fsm.report({ kind: 'info', event: `own_${msg}` });
    fsm.chainOp = undefined;
    fsm.op = { kind: 'lock', tag, tx, updates, ...(next && { next }) };
    fsm.send({ type: msg, msg: { channelId: fsm.channelId!, txHash } });
    return fsm.next(state);
  }
  if (event.kind === 'peer') {
    const { msg } = event;
    if (msg.type === 'funding_locked' || msg.type === 'deposit_locked' || msg.type === 'withdraw_locked') return fsm.postpone();
    if (msg.type === 'deposit_error' || msg.type === 'withdraw_error') {
      // The peer could not post the co-signed tx: back to the last agreed state. Any other error is dropped.
      if (msg.msg.errorCode !== ErrorCode.ONCHAIN_REJECTED || tag === undefined || LOCKS[tag].error !== msg.type) return;
      return handleRecoverableError(fsm, { code: ErrorCode.ONCHAIN_REJECTED, msgType: tag === 'deposit' ? 'deposit_signed' : 'withdraw_signed', respond: false });
    }
  }
  handleCommonEvent(fsm, event);
}

/** `signed`, `dep_signed` and `wdraw_signed`: the peer's lock message completes the round. */
export function lockedByPeer(fsm: ChannelFsm, event: FsmEvent): void {
  const op = fsm.op;
  if (event.kind === 'peer' && op?.kind === 'lock') {
    const { msg } = event;
    if (msg.type === 'shutdown') return shutdownReceived(fsm, msg.msg);
    if (msg.type === LOCKS[op.tag].msg) return peerLocked(fsm, msg.msg as LockedMsg);
  }
  handleCommonEvent(fsm, event);
}

function peerLocked(fsm: ChannelFsm, msg: LockedMsg): void {
  const op = fsm.op!;
  if (op.kind !== 'lock' || msg.channelId !== fsm.channelId || msg.txHash !== txHash(op.tx)) return fsm.stop();
  fsm.report({ kind: 'info', event: LOCKS[op.tag].msg });
  fsm.op = undefined;
  fsm.channel.setSigned(op.tx, op.next ?? fsm.channel.trees);
  fsm.next('open');
}
