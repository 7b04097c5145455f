/**
 * The signing round the node has open, as its reports show it, and which of this client's
 * operations a `channels.conflict` ends.
 *
 * The node runs one signing round at a time: it starts with a sign request and ends with the
 * co-signed state (`channels.update`), a conflict, or `aborted_update`. Reports reach the client in
 * the order the node made them, so a conflict ends the round opened by the last sign request, and
 * a conflict that arrives with no round open ends nothing: it is a straggler, such as the second
 * conflict the 2019 node sends for the same race. It must never settle an operation that was
 * started later.
 *
 * One case needs the order of a reply too: an update proposed while the node waits for our
 * signature on the peer's update (a race, or on purpose: an operation that supersedes the peer's
 * request) is answered "ok" and dropped by the node (aesc_fsm awaiting_signature), and the
 * conflict that ends the peer's round ends ours with it. The node's "ok" arrives before that
 * conflict, on either side of the peer's sign request: the real node's WebSocket handler, blocked
 * in our call, writes the "ok" before the sign request the FSM sent it earlier. A node that takes
 * our request sends our own sign request before any round of the peer, so an "ok" followed by a
 * peer's round with none of ours between means ours was dropped.
 *
 * A round we refuse ends here as soon as the refusal is sent (core/step.ts): the node's report of
 * its end, `aborted_update` or the 2019 node's conflict, comes after and ends nothing more.
 */
import type { Encoded } from '@ch/codec';
import type { SignRequestMethod } from '@ch/rpc';
import type { CoSignedState, Verified } from './checks.js';
import type { Operation } from './operations.js';

export interface SigningRound {
  /** Sequence number of the sign request that opened it. */
  readonly seq: number;
  readonly method: SignRequestMethod;
  /** The peer's proposal (an ack) rather than our own. */
  readonly peer: boolean;
  /** The operation of ours this round serves; undefined for the peer's and for requests we did not ask for. */
  readonly op: Operation | undefined;
  /** The channel a create tx founds: its id is known once we signed it. */
  readonly founds?: Encoded<'ch'>;
  /** The state it becomes once co-signed (txs that set a round); with our signature once signed. */
  readonly next?: CoSignedState;
  /** The tx we signed and sent, with the signatures verified in it. */
  readonly verified?: Verified;
}

/**
 * The operations a conflict at `conflictSeq` ends, given the round open when it arrived.
 * `unseenRound`: the node may have a round open that this client never saw (see `droppedRequest`).
 */
export function conflictVictims(round: SigningRound | undefined, current: Operation | undefined, conflictSeq: number, unseenRound = false): Operation[] {
  if (round === undefined) return unseenRound ? droppedRequest(current, conflictSeq) : [];
  const victims: Operation[] = [];
  if (round.op && round.op.phase !== 'settled') victims.push(round.op);
  const raced =
    round.peer &&
    current !== undefined &&
    current !== round.op &&
    current.phase === 'requested' &&
    current.okSeq !== undefined &&
    current.okSeq < conflictSeq;
  if (raced) victims.push(current);
  return victims;
}

/**
 * Back with an FSM that kept running, the node may still wait for a signature its sign request
 * asked of the session that died. An update requested now is answered "ok" and dropped, and the
 * conflict that ends the unseen round ends it too. Only then: elsewhere a conflict with no round
 * open is a straggler, which may even land between a served request's "ok" and its sign request.
 */
function droppedRequest(current: Operation | undefined, conflictSeq: number): Operation[] {
  const dropped = current?.phase === 'requested' && current.okSeq !== undefined && current.okSeq < conflictSeq;
  return dropped ? [current] : [];
}
