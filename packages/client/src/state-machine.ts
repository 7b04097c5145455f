/**
 * The channel's status as this client sees it, named after the node's FSM states. It is derived
 * from the core's state (core/state.ts `statusOf`); only the core's transitions move it.
 */
export const CHANNEL_STATUSES = [
  /** The WebSocket is being opened. */
  'connecting',
  /** Connected; the nodes are negotiating a new channel. */
  'awaiting_open',
  /** Connected; the node is resuming a channel from its last co-signed state. */
  'reestablishing',
  /** A sign request is being checked and signed (or refused). */
  'signing',
  /** This client signed; the round is not co-signed and confirmed yet. */
  'awaiting_ack',
  /** A tx both signed waits for its minimum depth on chain (create, deposit, withdraw). */
  'awaiting_locked',
  /** Idle at the last co-signed round: updates can be proposed. */
  'open',
  /** A close is under way on chain (mutual, or solo with its lock period). */
  'closing',
  /** Closed on chain, or the node's channel process ended. */
  'closed',
  /** Left with `leave()`: the channel stays open on chain and can be reestablished. */
  'left',
  /** The WebSocket closed unasked; the client is reestablishing the channel from its store by itself. */
  'reconnecting',
  /** The WebSocket closed before the channel ended; reestablish to continue. */
  'disconnected',
] as const;
export type ChannelStatus = (typeof CHANNEL_STATUSES)[number];

const TERMINAL: readonly ChannelStatus[] = ['closed', 'left', 'disconnected'];

export function isTerminal(status: ChannelStatus): boolean {
  return TERMINAL.includes(status);
}
