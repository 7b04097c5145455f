/** A channel FSM's options, read from the WebSocket open parameters (sc_ws_handler.erl). */
import type { Encoded } from '@ch/codec';
import type { MinimumDepthStrategy } from './peer-messages.js';

export type Role = 'initiator' | 'responder';

/** Timer names of aesc_fsm.hrl ?DEFAULT_TIMEOUTS, plus the two states with their own parameter. */
export const TIMER_NAMES = ['accept', 'funding_create', 'funding_sign', 'funding_lock', 'idle', 'sign', 'awaiting_open', 'initialized'] as const;
export type TimerName = (typeof TIMER_NAMES)[number];

export interface ChannelOptions {
  readonly role: Role;
  readonly initiator: Encoded<'ak'>;
  readonly responder: Encoded<'ak'>;
  readonly initiatorAmount: bigint;
  readonly responderAmount: bigint;
  readonly pushAmount: bigint;
  readonly channelReserve: bigint;
  readonly lockPeriod: bigint;
  /** The responder's node port: with the two account keys it names the channel being opened. */
  readonly port: number;
  readonly minimumDepth?: bigint;
  readonly minimumDepthStrategy?: MinimumDepthStrategy;
  readonly ttl?: bigint;
  readonly fee?: bigint;
  readonly nonce?: bigint;
  /** Overrides of the default timeouts, in ms (`timeout_<name>`). */
  readonly timeouts: Partial<Record<TimerName, number>>;
  /** A responder that stays up when its peer leaves or its timer fires. */
  readonly keepRunning: boolean;
}
