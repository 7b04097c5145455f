/**
 * `awaiting_signature`: the FSM asked its client to sign and waits (aesc_fsm awaiting_signature/3).
 * The reply goes to the step that asked; an abort falls back; a racing proposal is a conflict.
 */
import type { Encoded } from '@ch/codec';
import { handleCommonEvent } from './common.js';
import type { FsmEvent } from './events.js';
import type { ChannelFsm, SignOp } from './fsm.js';
import { shutdownAckSigned, shutdownSigned } from './mutual-close.js';
import { createTxSigned, fundingCreatedSigned } from './opening.js';
import { handleRecoverableError } from './recovery.js';
import { soloTxSigned } from './solo-txs.js';
import { ackSigned, isExchangeTag, proposalSigned, raceWhileSigning } from './updates.js';

export function awaitingSignature(fsm: ChannelFsm, event: FsmEvent): void {
  const op = fsm.op;
  if (op?.kind !== 'sign') return handleCommonEvent(fsm, event);
  if (raceWhileSigning(fsm, event)) return;
  if (event.kind === 'abort_cast' && event.tag === op.tag) {
    // 2019: an abort is a cast, handled like any failed signing (aesc_fsm@82ee809:615-619).
    return handleRecoverableError(fsm, { code: event.code, msgType: op.tag });
  }
  if (event.kind === 'timeout' && event.state === fsm.state && fsm.channelStatus === 'closing' && (op.tag === 'shutdown' || op.tag === 'shutdown_ack')) {
    // A mutual close the client never signed leaves a solo-closing channel as it was.
    fsm.op = undefined;
    return fsm.next('channel_closing');
  }
  if (event.kind !== 'signed' || event.tag !== op.tag) return handleCommonEvent(fsm, event);
  signedBy(fsm, op, event.tx);
}

/** The reply goes to the step that asked for it. */
function signedBy(fsm: ChannelFsm, op: SignOp, tx: Encoded<'tx'>): void {
  const { tag } = op;
  switch (tag) {
    case 'create_tx':
      return createTxSigned(fsm, tx, op.tx);
    case 'funding_created':
      return fundingCreatedSigned(fsm, tx, op.tx);
    case 'shutdown':
      return shutdownSigned(fsm, op, tx);
    case 'shutdown_ack':
      return shutdownAckSigned(fsm, op, tx);
    case 'snapshot_solo_tx':
    case 'close_solo_tx':
    case 'slash_tx':
    case 'settle_tx':
      return soloTxSigned(fsm, op, tx);
    default:
      return isExchangeTag(tag) ? proposalSigned(fsm, tag, op, tx) : ackSigned(fsm, op, tx);
  }
}
