/**
 * `awaiting_signature`: the FSM asked its client to sign and waits (aesc_fsm awaiting_signature/3).
 * The reply goes to the step that asked; an abort falls back; a racing update is a conflict.
 */
import { handleCommonEvent } from './common.js';
import type { FsmEvent } from './events.js';
import type { ChannelFsm } from './fsm.js';
import { createTxSigned, fundingCreatedSigned } from './opening.js';
import { handleRecoverableError } from './recovery.js';
import { raceWhileSigning, updateAckSigned, updateSigned } from './updates.js';

export function awaitingSignature(fsm: ChannelFsm, event: FsmEvent): void {
  const op = fsm.op;
  if (op?.kind !== 'sign') return handleCommonEvent(fsm, event);
  if (raceWhileSigning(fsm, event)) return;
  if (event.kind === 'abort_cast' && event.tag === op.tag) {
    // 2019: an abort is a cast, handled like any failed signing (aesc_fsm@82ee809:615-619).
    return handleRecoverableError(fsm, { code: event.code, msgType: op.tag });
  }
  if (event.kind !== 'signed' || event.tag !== op.tag) return handleCommonEvent(fsm, event);
  switch (op.tag) {
    case 'create_tx':
      return createTxSigned(fsm, event.tx, op.tx);
    case 'funding_created':
      return fundingCreatedSigned(fsm, event.tx, op.tx);
    case 'update':
      return updateSigned(fsm, event.tx);
    case 'update_ack':
      return updateAckSigned(fsm, event.tx);
  }
}
