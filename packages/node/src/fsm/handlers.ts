/** The state functions of the channel FSM, by state name. */
import type { StateHandler } from './fsm.js';
import { awaitingLeaveAck } from './leave.js';
import { awaitingLocked, lockedByPeer } from './locking.js';
import { mutualClosed, mutualClosing } from './mutual-close.js';
import { open } from './open.js';
import { accepted, awaitingConnect, awaitingOpen, halfSigned, initialized } from './opening.js';
import { awaitingReestablish, reestablishInit } from './reestablish.js';
import { awaitingSignature } from './signing.js';
import { channelClosed, channelClosing } from './solo.js';
import type { StateName } from './states.js';
import { awaitingCoSignature } from './updates.js';

export const STATE_HANDLERS: { readonly [S in StateName]: StateHandler } = {
  awaiting_connect: awaitingConnect,
  awaiting_open: awaitingOpen,
  awaiting_reestablish: awaitingReestablish,
  reestablish_init: reestablishInit,
  initialized,
  accepted,
  awaiting_signature: awaitingSignature,
  half_signed: halfSigned,
  awaiting_locked: awaitingLocked,
  signed: lockedByPeer,
  open,
  awaiting_update_ack: awaitingCoSignature,
  dep_half_signed: awaitingCoSignature,
  dep_signed: lockedByPeer,
  wdraw_half_signed: awaitingCoSignature,
  wdraw_signed: lockedByPeer,
  awaiting_leave_ack: awaitingLeaveAck,
  mutual_closing: mutualClosing,
  mutual_closed: mutualClosed,
  channel_closing: channelClosing,
  channel_closed: channelClosed,
};
