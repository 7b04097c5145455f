/** The state functions of the channel FSM, by state name. */
import type { StateHandler } from './fsm.js';
import { accepted, awaitingConnect, awaitingLocked, awaitingOpen, halfSigned, initialized, signed } from './opening.js';
import { awaitingSignature } from './signing.js';
import type { StateName } from './states.js';
import { awaitingUpdateAck, open } from './updates.js';

export const STATE_HANDLERS: { readonly [S in StateName]: StateHandler } = {
  awaiting_connect: awaitingConnect,
  awaiting_open: awaitingOpen,
  initialized,
  accepted,
  awaiting_signature: awaitingSignature,
  half_signed: halfSigned,
  awaiting_locked: awaitingLocked,
  signed,
  open,
  awaiting_update_ack: awaitingUpdateAck,
};
