/**
 * Which timer guards each FSM state (aesc_fsm.hrl ?TIMER_SUBST) and the default durations
 * (?DEFAULT_TIMEOUTS). gen_statem restarts the state's timer after every event.
 */
import type { TimerName } from './options.js';
import type { StateName } from './states.js';

export const DEFAULT_TIMEOUTS: { readonly [N in TimerName]?: number } = {
  accept: 120_000,
  funding_create: 120_000,
  funding_sign: 120_000,
  funding_lock: 360_000,
  idle: 600_000,
  sign: 500_000,
};

const TIMER_OF_STATE: { readonly [S in StateName]: TimerName } = {
  accepted: 'funding_create',
  awaiting_connect: 'accept',
  awaiting_leave_ack: 'accept',
  awaiting_locked: 'funding_lock',
  awaiting_open: 'idle',
  awaiting_reestablish: 'idle',
  awaiting_signature: 'sign',
  awaiting_update_ack: 'accept',
  channel_closed: 'idle',
  channel_closing: 'idle',
  dep_half_signed: 'funding_sign',
  dep_signed: 'funding_lock',
  half_signed: 'funding_sign',
  initialized: 'accept',
  mutual_closing: 'accept',
  mutual_closed: 'idle',
  open: 'idle',
  reestablish_init: 'accept',
  signed: 'funding_lock',
  wdraw_half_signed: 'funding_sign',
  wdraw_signed: 'funding_lock',
};

/** The timeout of `state` in ms: its own `timeout_<state>` if given, else its timer's. */
export function timeoutFor(state: StateName, overrides: Partial<Record<TimerName, number>>): number {
  const own = (overrides as Partial<Record<string, number>>)[state];
  if (own !== undefined) return own;
  const timer = TIMER_OF_STATE[state];
  return overrides[timer] ?? DEFAULT_TIMEOUTS[timer] ?? DEFAULT_TIMEOUTS.idle!;
}
