/**
 * The channel's status as this client sees it, named after the node's FSM states, and the
 * transitions the protocol allows. A transition the table does not allow is refused (and reported
 * by the caller), so a confused node cannot move the client into a state it cannot be in.
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
  /** The WebSocket closed before the channel ended; reestablish to continue. */
  'disconnected',
] as const;
export type ChannelStatus = (typeof CHANNEL_STATUSES)[number];

const TERMINAL: readonly ChannelStatus[] = ['closed', 'left', 'disconnected'];
const ENDINGS: readonly ChannelStatus[] = ['closing', ...TERMINAL];

const TRANSITIONS: { readonly [S in ChannelStatus]: readonly ChannelStatus[] } = {
  connecting: ['awaiting_open', 'reestablishing', ...TERMINAL],
  awaiting_open: ['signing', ...ENDINGS],
  reestablishing: ['open', 'signing', ...ENDINGS],
  signing: ['awaiting_ack', 'awaiting_locked', 'open', 'signing', ...ENDINGS],
  awaiting_ack: ['awaiting_locked', 'open', 'signing', ...ENDINGS],
  awaiting_locked: ['open', 'signing', ...ENDINGS],
  open: ['signing', 'awaiting_locked', ...ENDINGS],
  closing: ['signing', 'awaiting_ack', ...TERMINAL],
  closed: [],
  left: [],
  disconnected: [],
};

export function isTerminal(status: ChannelStatus): boolean {
  return TERMINAL.includes(status);
}

export class StatusMachine {
  #status: ChannelStatus;
  readonly #onChange: (status: ChannelStatus, previous: ChannelStatus) => void;

  constructor(initial: ChannelStatus, onChange: (status: ChannelStatus, previous: ChannelStatus) => void) {
    this.#status = initial;
    this.#onChange = onChange;
  }

  get status(): ChannelStatus {
    return this.#status;
  }

  /** Moves to `to`; false (and no change) if the protocol does not allow it from here. */
  move(to: ChannelStatus): boolean {
    if (to === this.#status) return true;
    if (!TRANSITIONS[this.#status].includes(to)) return false;
    const previous = this.#status;
    this.#status = to;
    this.#onChange(to, previous);
    return true;
  }
}
