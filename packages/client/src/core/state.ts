/**
 * The client core's states: where the session stands with the node, and the signing round the node
 * has open, each a case of one discriminated union. The status the `Channel` shows is derived from
 * it (`statusOf`), never kept beside it.
 */
import type { Verified } from '../checks.js';
import type { Operation } from '../operations.js';
import type { SigningRound } from '../signing-round.js';
import type { ChannelStatus } from '../state-machine.js';

/** Where the channel stands between signing rounds. */
export type Base =
  /** The nodes are negotiating a new channel. */
  | 'awaiting_open'
  /** The node is resuming a channel from the last co-signed state. */
  | 'reestablishing'
  /** The node reported the channel open (`open`, or back with an FSM that kept running). */
  | 'open'
  /** A close is under way on chain. */
  | 'closing'
  /** The node handed back the state to keep (`channels.leave`). */
  | 'left';

export interface Session {
  readonly base: Base;
  /** The last co-signed round, once there is one. */
  readonly latest: bigint | undefined;
  /** Back with an FSM that kept running, which may still wait for a signature asked of the session that died. */
  readonly unseenRound: boolean;
  /**
   * We aborted a round and ended it here at once; the node's own report of that end
   * (`aborted_update`, or the 2019 node's conflict) is still to come and ends nothing.
   */
  readonly echo: boolean;
  /** The node reported `can_slash`: a solo close of an older round is on chain, so a slash asked for unasked is in order. */
  readonly canSlash: boolean;
  /** The round of the latest snapshot the node reported included; an empty payload closes on it. */
  readonly onChainRound: bigint | undefined;
  /**
   * Back on a new socket, the node's co-signed state is not checked yet (its report, or the sync
   * with an FSM that kept running): not open for operations, and the reconnect not yet a success.
   */
  readonly unchecked: boolean;
}

/** A round we signed: the state it becomes carries our signature. */
export interface SignedRound extends SigningRound {
  readonly verified: Verified;
}

export type CoreState =
  /** The WebSocket is being opened; `session.base` is where it starts once connected. */
  | { readonly kind: 'connecting'; readonly session: Session }
  /** Connected, no signing round open. */
  | { readonly kind: 'idle'; readonly session: Session }
  /** The signer has the checked request; its answer is awaited while the node's messages are handled. */
  | { readonly kind: 'signing'; readonly session: Session; readonly round: SigningRound }
  /** We will not answer (the signer declined, or our own operation superseded the peer's request): the node ends the round. */
  | { readonly kind: 'declined'; readonly session: Session; readonly round: SigningRound }
  /** Signed; the state the signature completes is being recorded before the signature goes out. */
  | { readonly kind: 'storing'; readonly session: Session; readonly round: SignedRound }
  /**
   * Our signature is sent; the node's report (co-signed state, tx on chain) ends the round.
   * `orphaned`: back on a new FSM, which never asked for it: the state the node reports settles it.
   */
  | { readonly kind: 'awaiting_ack'; readonly session: Session; readonly round: SignedRound; readonly orphaned?: true }
  /**
   * The socket closed unasked while the channel was open; a new one is being opened from the
   * store. `interrupted` is the round the lost socket left open: whether our signature went out
   * (`awaiting_ack`) or not decides how it is resumed (step.ts `resume`).
   */
  | { readonly kind: 'reconnecting'; readonly session: Session; readonly interrupted: RoundState | undefined }
  /** The session is over. */
  | { readonly kind: 'terminal'; readonly status: 'closed' | 'left' | 'disconnected' };

export type RoundState = Extract<CoreState, { round: unknown }>;

export function initialState(base: 'awaiting_open' | 'reestablishing', latest: bigint | undefined): CoreState {
  return { kind: 'connecting', session: { base, latest, unseenRound: false, echo: false, canSlash: false, onChainRound: undefined, unchecked: false } };
}

export function sessionOf(state: CoreState): Session | undefined {
  return 'session' in state ? state.session : undefined;
}

export function roundOf(state: CoreState): SigningRound | undefined {
  return 'round' in state ? state.round : undefined;
}

export function statusOf(state: CoreState): ChannelStatus {
  switch (state.kind) {
    case 'connecting':
      return 'connecting';
    case 'reconnecting':
      return 'reconnecting';
    case 'idle':
      return state.session.base;
    case 'signing':
    case 'declined':
    case 'storing':
      return 'signing';
    case 'awaiting_ack':
      // The create tx both signed waits for its depth on chain.
      return state.round.founds !== undefined ? 'awaiting_locked' : 'awaiting_ack';
    case 'terminal':
      return state.status;
  }
}

/** Open for operations: the node takes a new request. */
export function isReady(state: CoreState): boolean {
  if (state.kind !== 'idle') return false;
  const { base, latest, unchecked } = state.session;
  return (base === 'open' || base === 'closing') && latest !== undefined && !unchecked;
}

/**
 * Whether the next queued operation may start now: when idle and open, or (`supersede`) while the
 * peer's request waits for our signer, which the node then ends with a conflict for both.
 */
export function mayStart(state: CoreState, op: Pick<Operation, 'supersede'>): 'start' | 'supersede' | 'wait' {
  if (isReady(state)) return 'start';
  if (op.supersede === true && (state.kind === 'signing' || state.kind === 'declined') && state.round.peer) return 'supersede';
  return 'wait';
}

/** A lost socket is reconnected only in a channel that is open (or closing) at a co-signed round; a left one is over. */
export function mayReconnect(state: CoreState): boolean {
  if (state.kind === 'reconnecting') return true;
  const session = sessionOf(state);
  return session !== undefined && session.latest !== undefined && session.base !== 'left' && session.base !== 'awaiting_open';
}

/** The state a session ends in when the socket closes or the node's process dies. */
export function ending(state: CoreState): 'closed' | 'left' | 'disconnected' {
  if (state.kind === 'terminal') return state.status;
  const { base } = state.session;
  return base === 'closing' ? 'closed' : base === 'left' ? 'left' : 'disconnected';
}
