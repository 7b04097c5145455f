/**
 * The client core's transitions: `step(state, event)` returns the next state and the effects the
 * `Channel` shell runs, in order. It reads nothing but its arguments and changes nothing in place.
 *
 * Events are facts the shell has established: a sign request with the verdict of the checks, the
 * signer's verified answer, a co-signed state the store has adopted, a node report. What the core
 * decides is what follows: which round is open, who answers it and with what, which operation a
 * report settles, and what the channel's status is.
 *
 * The signer never holds up the node's messages: while it works the round is `signing`, and a
 * report that ends the round (a conflict, `aborted_update`, a newer request, the socket closing)
 * fires its signal and ends it; the answer that comes later finds no round and is dropped.
 */
import { conflictMessage, type Conflict, type SignReply, type SignRequestMethod } from '@ch/rpc';
import type { Encoded } from '@ch/codec';
import { sameTransaction, type CoSignedState, type Verified } from '../checks.js';
import type { ConflictEvent } from '../channel-events.js';
import { AbortCode, ChannelError, ChannelErrorKind, ConflictError, RefusedError } from '../errors.js';
import type { Operation } from '../operations.js';
import { conflictVictims, type SigningRound } from '../signing-round.js';
import { ending, isReady, mayReconnect, roundOf, sessionOf, type CoreState, type RoundState, type Session, type SignedRound } from './state.js';

/** What the checks (checks.ts) made of a sign request. */
export type Verdict =
  | { readonly ok: true; readonly founds?: Encoded<'ch'>; readonly next?: CoSignedState }
  | { readonly ok: false; readonly code: number; readonly reason: string };

/** The signer's answer, its signature verified. */
export type SignerAnswer =
  | { readonly signed: Encoded<'tx'>; readonly verified: Verified }
  | { readonly abort: number; readonly reason?: string }
  | { readonly decline: true };

export type CoreEvent =
  /** The node spoke, or the socket is handed over. */
  | { readonly type: 'connected' }
  | { readonly type: 'connect_failed'; readonly error: ChannelError }
  /** A sign request opens the node's next round; `op` is the operation of ours it serves. */
  | { readonly type: 'sign_request'; readonly seq: number; readonly method: SignRequestMethod; readonly peer: boolean; readonly op: Operation | undefined; readonly verdict: Verdict }
  | { readonly type: 'signer_answer'; readonly seq: number; readonly answer: SignerAnswer }
  /** The state our signature completes is recorded (or could not be). */
  | { readonly type: 'stored'; readonly seq: number; readonly failed: boolean }
  /** The next operation starts while the peer's request waits for our signer. */
  | { readonly type: 'supersede' }
  | { readonly type: 'conflict'; readonly seq: number; readonly conflict: Conflict; readonly current: Operation | undefined }
  | { readonly type: 'aborted_update' }
  /** A co-signed state the node reported, verified and adopted; `fresh` when newer than the latest. */
  | { readonly type: 'co_signed'; readonly state: CoSignedState; readonly fresh: boolean }
  | { readonly type: 'info'; readonly event: 'open' | 'closing' | 'closed_confirmed' | 'died' }
  /** Back with the FSM that kept running (`sameFsm`) or, reconnecting, with a new one; `current` is the operation of ours that was started. */
  | { readonly type: 'resumed'; readonly current: Operation | undefined; readonly sameFsm: boolean }
  /** …and its co-signed state taken: the channel is open at it. `halfSigned`: the proposal of ours the node holds signed by us alone, if any. */
  | { readonly type: 'synced'; readonly halfSigned?: Encoded<'tx'> }
  /** `snapshotRound`: the round the tx, an included snapshot, put on chain. */
  | { readonly type: 'on_chain'; readonly tx: Encoded<'tx'>; readonly txType: string; readonly info: string; readonly snapshotRound?: bigint }
  /** The node handed back the state to keep. */
  | { readonly type: 'left'; readonly tx: Encoded<'tx'> }
  | { readonly type: 'socket_closed'; readonly error: ChannelError }
  /** A failure the node reported (`channels.error`, a refused connection, a timeout): the end of an opening, a mere report once open. */
  | { readonly type: 'fatal'; readonly error: ChannelError }
  /** The socket closed unasked, and the shell would open a new one. */
  | { readonly type: 'socket_lost'; readonly error: ChannelError }
  /** Every reconnect attempt failed. */
  | { readonly type: 'reconnect_failed'; readonly error: ChannelError }
  /** The request that starts `op` failed. */
  | { readonly type: 'start_failed'; readonly op: Operation; readonly error: ChannelError };

export type Effect =
  /** Hand the checked request of round `seq` to the signer. */
  | { readonly type: 'ask_signer'; readonly seq: number }
  /** Fire the signal of round `seq`'s signer, if it has not answered. */
  | { readonly type: 'abort_signer'; readonly seq: number }
  | { readonly type: 'reply'; readonly method: SignRequestMethod; readonly reply: SignReply }
  /** Record `state` as pending; the shell answers with `stored`. */
  | { readonly type: 'save'; readonly seq: number; readonly state: CoSignedState }
  /**
   * The node fell back: what we signed in the round is no state to resume from, unless both
   * signed it and (`sent`) our signature went out to a node that never ended the round before it
   * could arrive: the peer may hold that state, so it is kept as the latest (co-signed-states.ts
   * `dropPending`).
   */
  | { readonly type: 'drop_pending'; readonly sent: boolean }
  | { readonly type: 'found'; readonly channelId: Encoded<'ch'> }
  | { readonly type: 'signed'; readonly op: Operation }
  /** `op` signed `tx` and now waits for it on chain without holding up the next operation. */
  | { readonly type: 'release'; readonly op: Operation; readonly tx: Encoded<'tx'> }
  | { readonly type: 'settle'; readonly op: Operation; readonly outcome: { readonly value: unknown } | { readonly error: ChannelError } }
  | { readonly type: 'fail_all'; readonly error: ChannelError }
  /** Open a new socket from the store, after a backoff. */
  | { readonly type: 'reconnect'; readonly error: ChannelError }
  /** `op` never got our signature: it goes back to the head of the queue, to start again once open. */
  | { readonly type: 'requeue'; readonly op: Operation }
  | { readonly type: 'emit_state'; readonly state: CoSignedState; readonly own: boolean }
  | { readonly type: 'emit_conflict'; readonly conflict: ConflictEvent }
  | { readonly type: 'emit_refused'; readonly error: RefusedError }
  | { readonly type: 'emit_error'; readonly error: ChannelError }
  /** Open for operations: `opened` resolves. */
  | { readonly type: 'ready' }
  /** The session ended: what waits for the opening or a leave fails. */
  | { readonly type: 'ended'; readonly error: ChannelError }
  | { readonly type: 'left'; readonly tx: Encoded<'tx'> };

export type Step = readonly [CoreState, readonly Effect[]];

export function step(state: CoreState, event: CoreEvent): Step {
  const [next, effects] = move(state, event);
  return isReady(next) && !isReady(state) ? [next, [...effects, { type: 'ready' }]] : [next, effects];
}

function move(state: CoreState, event: CoreEvent): Step {
  if (state.kind === 'terminal') {
    // The store still adopts what the node reported before it went; nothing else moves.
    if (event.type === 'start_failed') return [state, [{ type: 'settle', op: event.op, outcome: { error: event.error } }]];
    return event.type === 'co_signed' && event.fresh ? [state, [{ type: 'emit_state', state: event.state, own: false }]] : [state, []];
  }
  if (state.kind === 'reconnecting') return reconnecting(state, event);
  const { session } = state;
  switch (event.type) {
    case 'connected':
      return state.kind === 'connecting' ? [{ kind: 'idle', session }, []] : [state, []];
    case 'connect_failed':
      return [{ kind: 'terminal', status: 'disconnected' }, [{ type: 'fail_all', error: event.error }, { type: 'ended', error: event.error }]];
    case 'sign_request':
      return signRequest(state, event);
    case 'signer_answer':
      return signerAnswer(state, event.seq, event.answer);
    case 'stored':
      if (state.kind !== 'storing' || state.round.seq !== event.seq) return [state, []];
      if (event.failed) return refuse(session, state.round, AbortCode.STORE_FAILED, 'the store could not record the state this signature completes');
      return sendSignature(session, state.round);
    case 'supersede':
      if ((state.kind !== 'signing' && state.kind !== 'declined') || !state.round.peer) return [state, []];
      return [{ kind: 'declined', session, round: state.round }, [{ type: 'abort_signer', seq: state.round.seq }]];
    case 'conflict':
      return conflict(state, event);
    case 'aborted_update':
      if (session.echo) return [idle({ ...session, echo: false }), []];
      return [state, [{ type: 'emit_error', error: new ChannelError(ChannelErrorKind.PROTOCOL, 'aborted_update without a refused signing round') }]];
    case 'co_signed':
      return coSigned(state, event.state, event.fresh);
    case 'info':
      return info(state, event.event);
    case 'resumed':
      return [withSession(state, { ...session, unseenRound: true }), []];
    case 'synced': {
      const synced: Session = { ...session, base: session.base === 'closing' || session.base === 'left' ? session.base : 'open', unchecked: false };
      return state.kind === 'awaiting_ack' && endedAway(state.round, event.halfSigned) ? failAway(synced, state.round) : [withSession(state, synced), []];
    }
    case 'on_chain': {
      const seen = withSession(state, onChainFacts(session, event));
      const round = roundOf(state);
      const completion = round?.op?.completion;
      if (!round?.op || completion?.kind !== 'on_chain' || completion.txType !== event.txType) return [seen, []];
      return [idle(sessionOf(seen)!), [{ type: 'abort_signer', seq: round.seq }, { type: 'settle', op: round.op, outcome: { value: event.tx } }]];
    }
    case 'left':
      return [withSession(state, { ...session, base: 'left' }), [{ type: 'left', tx: event.tx }]];
    case 'socket_closed':
    case 'reconnect_failed':
      return end(state, ending(state), event.error);
    case 'fatal':
      return opening(session) ? end(state, 'disconnected', event.error) : [state, []];
    case 'socket_lost': {
      if (!mayReconnect(state)) return end(state, ending(state), event.error);
      const round = roundOf(state);
      // A signer still at work is told; its answer finds no round. What it signs is asked again.
      const effects: Effect[] = round && state.kind === 'signing' ? [{ type: 'abort_signer', seq: round.seq }] : [];
      return [{ kind: 'reconnecting', session, interrupted: round ? (state as RoundState) : undefined }, [...effects, { type: 'reconnect', error: event.error }]];
    }
    case 'start_failed':
      return [state, [{ type: 'settle', op: event.op, outcome: { error: event.error } }]];
  }
}

/** While a new socket is opened: only its outcome, and the node's first word on it, move anything. */
function reconnecting(state: Extract<CoreState, { kind: 'reconnecting' }>, event: CoreEvent): Step {
  switch (event.type) {
    case 'socket_lost':
      return [state, [{ type: 'reconnect', error: event.error }]];
    case 'resumed':
      return resume(state, event.current, event.sameFsm);
    case 'start_failed':
      // Its request went down with the socket: `resume` decides what becomes of it.
      return event.error.kind === ChannelErrorKind.DISCONNECTED ? [state, []] : [state, [{ type: 'settle', op: event.op, outcome: { error: event.error } }]];
    case 'socket_closed':
    case 'reconnect_failed':
      return end(state, ending(state), event.error);
    case 'info':
      return event.event === 'died' ? end(state, ending(state), new ChannelError(ChannelErrorKind.DISCONNECTED, "the node's channel process ended")) : [state, []];
    default:
      // The signer's answer and the store's for the interrupted round: `resume` asks again or resends.
      return [state, []];
  }
}

/**
 * Back on a new socket, the interrupted round is settled with the node before its state is
 * checked (until then the channel is not open for operations):
 * - our signature went out (`awaiting_ack`): to the FSM that kept running it is sent again; the
 *   node takes it if it still waits for it, and otherwise has the state it completed (the sync
 *   adopts it) or ends the round with its conflict, which settles the operation as ever. A new
 *   FSM never asked for it: the state it reports settles the round (`orphanedEnd`);
 * - it did not: the FSM that kept running may wait for it, or for an answer to a request the
 *   lost socket never delivered (our started operation's, or the peer's update): each is refused,
 *   so the node falls back to the last co-signed round, and our operation, never signed, starts
 *   again once open. A new FSM has no round open, and is asked nothing.
 */
function resume(state: Extract<CoreState, { kind: 'reconnecting' }>, current: Operation | undefined, sameFsm: boolean): Step {
  const { session, interrupted } = state;
  const base = session.base === 'closing' ? 'closing' : 'reestablishing';
  const back: Session = { ...session, base, unseenRound: false, echo: false, unchecked: true };
  if (interrupted?.kind === 'awaiting_ack') {
    const { round } = interrupted;
    if (!sameFsm) return [{ kind: 'awaiting_ack', session: back, round, orphaned: true }, []];
    return [{ kind: 'awaiting_ack', session: back, round }, [{ type: 'reply', method: round.method, reply: { signed_tx: round.verified.tx } }]];
  }
  const started = current?.phase === 'requested' ? current : undefined;
  const effects: Effect[] = [];
  if (sameFsm) {
    const methods = new Set<SignRequestMethod>([interrupted?.round.method ?? 'channels.sign.update_ack', ...(started ? [started.signMethod] : [])]);
    effects.push(...[...methods].map((method) => ({ type: 'reply', method, reply: { error: AbortCode.UNEXPECTED_REQUEST } }) as const));
  }
  if (interrupted) effects.push({ type: 'drop_pending', sent: false });
  if (started) effects.push({ type: 'requeue', op: started });
  // A refusal's echo (a conflict) finds the operation queued again, not started: it ends nothing.
  return [idle({ ...back, unseenRound: sameFsm }), effects];
}

/**
 * Synced after resending our signature, the node's state is not the round's (else it was
 * adopted): the round is still on only while the node holds our own proposal half-signed (an ack
 * completes the state on receipt). Otherwise the node ended it while the socket was down, and its
 * report went down with the socket.
 */
function endedAway(round: SignedRound, halfSigned: Encoded<'tx'> | undefined): boolean {
  if (round.method !== 'channels.sign.update' && round.method !== 'channels.sign.update_ack') return false;
  return !(round.method === 'channels.sign.update' && halfSigned !== undefined && sameTransaction(halfSigned, round.verified.tx));
}

/** Nothing of the round was applied: its operation fails, typed, for its caller to try again. */
function failAway(session: Session, round: SignedRound, why = 'the node ended the round while the connection was lost; nothing of it was applied'): Step {
  const error = new ChannelError(ChannelErrorKind.DISCONNECTED, why);
  const effects: Effect[] = [{ type: 'drop_pending', sent: true }];
  if (round.op) effects.push({ type: 'settle', op: round.op, outcome: { error } });
  return [idle(session), effects];
}

/**
 * A new FSM reported a state that is not the round's: the round died with the old FSM. An
 * off-chain round left nothing applied; a tx for the chain may have been posted before it died.
 */
function orphanedEnd(session: Session, round: SignedRound): Step {
  const offChain = round.method === 'channels.sign.update' || round.method === 'channels.sign.update_ack';
  return failAway(session, round, offChain ? undefined : "the node's channel process was replaced while the connection was lost; whether the signed tx reached the chain, the chain tells");
}

function signRequest(state: Exclude<CoreState, { kind: 'terminal' }>, event: Extract<CoreEvent, { type: 'sign_request' }>): Step {
  const effects: Effect[] = [];
  const previous = roundOf(state);
  // A sign request opens the node's next round; one still open has ended unannounced.
  if (previous) effects.push(...abandon(previous, `the node sent ${event.method} before ending the previous signing round`));
  const round: SigningRound = {
    seq: event.seq,
    method: event.method,
    peer: event.peer,
    op: event.op,
    ...(event.verdict.ok && event.verdict.founds !== undefined && { founds: event.verdict.founds }),
    ...(event.verdict.ok && event.verdict.next !== undefined && { next: event.verdict.next }),
  };
  // A request answered means no round of the session that died is still open, and an echo still to come is not.
  const session: Session = { ...state.session, unseenRound: false, echo: false };
  if (!event.verdict.ok) {
    const [next, refusal] = refuse(session, round, event.verdict.code, event.verdict.reason);
    return [next, [...effects, ...refusal]];
  }
  return [{ kind: 'signing', session, round }, [...effects, { type: 'ask_signer', seq: round.seq }]];
}

function signerAnswer(state: Exclude<CoreState, { kind: 'terminal' }>, seq: number, answer: SignerAnswer): Step {
  // An answer for a round that ended meanwhile is never sent.
  if (state.kind !== 'signing' || state.round.seq !== seq) return [state, []];
  const { session, round } = state;
  if ('decline' in answer) return [{ kind: 'declined', session, round }, []];
  if ('abort' in answer) return refuse(session, round, answer.abort, answer.reason);
  const signed: SignedRound = { ...round, verified: answer.verified, ...(round.next && { next: { ...round.next, tx: answer.signed } }) };
  // The create tx we signed founds the channel: its record is kept under that id from now on.
  const found: Effect[] = round.founds === undefined ? [] : [{ type: 'found', channelId: round.founds }];
  // The record comes first: a signature that completes a state is never sent unrecorded.
  if (signed.next) return [{ kind: 'storing', session, round: signed }, [...found, { type: 'save', seq, state: signed.next }]];
  const [next, effects] = sendSignature(session, signed);
  return [next, [...found, ...effects]];
}

function sendSignature(session: Session, round: SignedRound): Step {
  const { op } = round;
  const tx = round.verified.tx;
  const effects: Effect[] = [];
  if (op) effects.push({ type: 'signed', op });
  effects.push({ type: 'reply', method: round.method, reply: { signed_tx: tx } });
  // The node is open again once the tx is signed: the operation waits for the tx on chain without holding up the next ones.
  if (op?.completion.kind === 'on_chain' && op.completion.released === true) return [idle(session), [...effects, { type: 'release', op, tx }]];
  // A solo tx the node asked for unasked (a slash) leads to no state and settles nothing: the round ends with our answer.
  if (!op && !round.peer && round.next === undefined && round.founds === undefined) return [idle(session), effects];
  return [{ kind: 'awaiting_ack', session, round }, effects];
}

/**
 * Answers the round's request with an abort code and ends the round here at once: the node ends
 * it on receipt (reporting `aborted_update`, or the 2019 node a conflict), so the next operation
 * need not wait for that report.
 */
function refuse(session: Session, round: SigningRound, code: number, reason?: string): Step {
  const error = reason === undefined ? undefined : new RefusedError(round.method, code, reason);
  const effects: Effect[] = [{ type: 'abort_signer', seq: round.seq }];
  if (error) effects.push({ type: 'emit_refused', error });
  effects.push({ type: 'reply', method: round.method, reply: { error: code } });
  if (round.op) effects.push({ type: 'settle', op: round.op, outcome: { error: error ?? new ConflictError(session.latest ?? 0n, code, conflictMessage(code), true) } });
  const after: CoreState = { kind: 'idle', session: { ...session, echo: true } };
  // The node takes no abort of the create tx (1018) and waits for a signature until its own
  // timeout: the opening ends here.
  if (opening(session) && OPENING_SIGNS.includes(round.method)) {
    const [ended, more] = end(after, 'disconnected', error ?? new RefusedError(round.method, code, 'the signer refused'));
    return [ended, [...effects, ...more]];
  }
  return [after, effects];
}

const OPENING_SIGNS: readonly SignRequestMethod[] = ['channels.sign.initiator_sign', 'channels.sign.responder_sign'];

/** The channel is not open yet: negotiated or being reestablished. */
function opening(session: Session): boolean {
  return session.base === 'awaiting_open' || session.base === 'reestablishing';
}

/** The node moved on without ending the round: whatever it was for has failed. */
function abandon(round: SigningRound, why: string): Effect[] {
  const error = new ChannelError(ChannelErrorKind.PROTOCOL, why);
  return [{ type: 'abort_signer', seq: round.seq }, ...(round.op ? [{ type: 'settle', op: round.op, outcome: { error } } as const] : []), { type: 'emit_error', error }];
}

function conflict(state: Exclude<CoreState, { kind: 'terminal' }>, event: Extract<CoreEvent, { type: 'conflict' }>): Step {
  const { session } = state;
  const data = event.conflict;
  const round = roundOf(state);
  const effects: Effect[] = [];
  const after: Session = { ...session, unseenRound: false, echo: false };
  // The end of a round we aborted and ended already.
  const echo = round === undefined && session.echo;
  const victims = echo ? [] : conflictVictims(round, event.current, event.seq, session.unseenRound);
  effects.push({ type: 'emit_conflict', conflict: { round: data.round, code: data.error_code, message: data.error_msg, stray: round === undefined && victims.length === 0 && !echo } });
  if (session.latest !== undefined && data.round !== session.latest) {
    effects.push({ type: 'emit_error', error: new ChannelError(ChannelErrorKind.PROTOCOL, `the node fell back to round ${data.round}, but the last co-signed round here is ${session.latest}`) });
  }
  // A node that took our signature reports the co-signed state, not a conflict: one that arrived
  // after the node ended the round (an honest race does it) reached no one.
  if (round) effects.push({ type: 'abort_signer', seq: round.seq }, { type: 'drop_pending', sent: false });
  for (const op of victims) effects.push({ type: 'settle', op, outcome: { error: new ConflictError(data.round, data.error_code, data.error_msg) } });
  return [{ kind: state.kind === 'connecting' ? 'connecting' : 'idle', session: after }, effects];
}

function coSigned(state: Exclude<CoreState, { kind: 'terminal' }>, adopted: CoSignedState, fresh: boolean): Step {
  const round = roundOf(state);
  // The node's state is known and checked: back on a new socket, the channel may open.
  const checked: Session = { ...state.session, unchecked: false };
  const orphaned = state.kind === 'awaiting_ack' && state.orphaned === true;
  if (!fresh && !orphaned) {
    // Reestablished at our last confirmed state: what we signed after it never went through. The
    // record cannot tell whether our signature left: it is written before it does, and a crash in
    // between (what the record is for) leaves exactly this.
    return [withSession(state, checked), round ? [] : [{ type: 'drop_pending', sent: false }]];
  }
  // A state the node already held before (not fresh) is never the round's.
  const ours = fresh && round?.next !== undefined && sameTransaction(round.next.tx, adopted.tx);
  const session: Session = fresh ? { ...checked, latest: adopted.round } : checked;
  const effects: Effect[] = fresh ? [{ type: 'emit_state', state: adopted, own: ours && round?.peer === false }] : [];
  if (orphaned && !ours) {
    const [next, more] = orphanedEnd(session, state.round);
    return [next, [...effects, ...more]];
  }
  if (!ours || !round) return [withSession(state, session), effects];
  effects.unshift({ type: 'abort_signer', seq: round.seq });
  if (round.op?.completion.kind === 'round') effects.push({ type: 'settle', op: round.op, outcome: { value: adopted.round } });
  return [idle(session), effects];
}

function info(state: Exclude<CoreState, { kind: 'terminal' }>, event: 'open' | 'closing' | 'closed_confirmed' | 'died'): Step {
  const { session } = state;
  switch (event) {
    case 'open':
      // A close under way stays one; the node reports `open` again after a reestablish.
      return [withSession(state, { ...session, base: session.base === 'closing' ? 'closing' : 'open' }), []];
    case 'closing':
      return [withSession(state, { ...session, base: 'closing' }), []];
    case 'closed_confirmed': {
      const round = roundOf(state);
      return [{ kind: 'terminal', status: 'closed' }, round ? [{ type: 'abort_signer', seq: round.seq }] : []];
    }
    case 'died':
      return end(state, ending(state), new ChannelError(ChannelErrorKind.DISCONNECTED, "the node's channel process ended"));
  }
}

/** The session is over: every waiting operation fails, a signer still at work is told. */
function end(state: Exclude<CoreState, { kind: 'terminal' }>, status: 'closed' | 'left' | 'disconnected', error: ChannelError): Step {
  const round = roundOf(state);
  const effects: Effect[] = round ? [{ type: 'abort_signer', seq: round.seq }] : [];
  effects.push({ type: 'fail_all', error }, { type: 'ended', error });
  return [{ kind: 'terminal', status }, effects];
}

function idle(session: Session): CoreState {
  return { kind: 'idle', session };
}

/** What an on-chain report tells the session: an older state closing (`can_slash`), the round a snapshot set. */
function onChainFacts(session: Session, event: Extract<CoreEvent, { type: 'on_chain' }>): Session {
  const canSlash = session.canSlash || event.info === 'can_slash';
  const { snapshotRound } = event;
  const onChainRound = snapshotRound !== undefined && (session.onChainRound === undefined || snapshotRound > session.onChainRound) ? snapshotRound : session.onChainRound;
  return { ...session, canSlash, onChainRound };
}

function withSession(state: Exclude<CoreState, { kind: 'terminal' }>, session: Session): CoreState {
  return { ...state, session } as CoreState;
}
