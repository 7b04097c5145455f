/** FSM state names, as in aesc_fsm, and how each treats events it has no clause for. */

export const STATE_NAMES = [
  'awaiting_connect',
  'awaiting_open',
  'awaiting_reestablish',
  'reestablish_init',
  'initialized',
  'accepted',
  'awaiting_signature',
  'half_signed',
  'awaiting_locked',
  'signed',
  'open',
  'awaiting_update_ack',
  'dep_half_signed',
  'dep_signed',
  'wdraw_half_signed',
  'wdraw_signed',
  'awaiting_leave_ack',
  'mutual_closing',
  'mutual_closed',
  'channel_closing',
  'channel_closed',
] as const;
export type StateName = (typeof STATE_NAMES)[number];

/**
 * What a state does with an event none of its clauses match (aesc_fsm handle_common_event/4):
 * `postpone` keeps casts for the next state and serves calls; `postpone_or_error` postpones casts
 * but refuses calls as not ready; `error` serves calls but dies on an unknown cast; `error_all`
 * refuses calls and dies on casts; `discard` serves calls and drops casts.
 */
export type UnhandledMode = 'postpone' | 'postpone_or_error' | 'error' | 'error_all' | 'discard';

export const UNHANDLED: { readonly [S in StateName]: UnhandledMode } = {
  awaiting_connect: 'postpone',
  awaiting_open: 'error_all',
  awaiting_reestablish: 'postpone_or_error',
  reestablish_init: 'postpone_or_error',
  initialized: 'postpone_or_error',
  accepted: 'postpone_or_error',
  awaiting_signature: 'postpone',
  half_signed: 'postpone_or_error',
  awaiting_locked: 'error',
  signed: 'postpone_or_error',
  open: 'discard',
  awaiting_update_ack: 'postpone',
  dep_half_signed: 'error',
  dep_signed: 'error',
  wdraw_half_signed: 'error',
  wdraw_signed: 'error',
  awaiting_leave_ack: 'postpone',
  mutual_closing: 'error',
  mutual_closed: 'postpone',
  channel_closing: 'discard',
  channel_closed: 'discard',
};

/** States in which calls the state has no clause for wait for the next state (?TRANSITION_STATE). */
export const TRANSITION_STATES: ReadonlySet<StateName> = new Set([
  'awaiting_signature',
  'awaiting_open',
  'awaiting_locked',
  'awaiting_update_ack',
  'awaiting_leave_ack',
  'mutual_closing',
]);
