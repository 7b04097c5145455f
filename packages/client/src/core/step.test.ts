/**
 * The core on its own: each transition from a state built by hand, its effects read as data. No
 * node, socket, signer or store: `step` is pure, so these run in milliseconds.
 */
import type { Encoded, OffChainState } from '@ch/codec';
import type { Conflict } from '@ch/rpc';
import { describe, expect, test } from 'vitest';
import type { CoSignedState } from '../checks.js';
import { AbortCode, ConflictError, RefusedError } from '../errors.js';
import type { Operation, OperationSpec } from '../operations.js';
import { initialState, isReady, mayStart, statusOf, type CoreState } from './state.js';
import { step, type CoreEvent, type Effect } from './step.js';

const tx = (name: string) => `tx_${name}` as Encoded<'tx'>;
const coSigned = (round: bigint, name = `r${round}`): CoSignedState => ({ round, tx: tx(name), state: {} as OffChainState });

function operation(spec: Partial<OperationSpec> = {}, okSeq?: number): Operation {
  return {
    label: 'transfer',
    start: () => Promise.resolve(),
    signMethod: 'channels.sign.update',
    expectation: { kind: 'none' },
    completion: { kind: 'round' },
    ...spec,
    phase: 'requested',
    ...(okSeq !== undefined && { okSeq }),
  };
}

/** Runs the events in order; the last state and every effect. */
function run(state: CoreState, ...events: CoreEvent[]): { state: CoreState; effects: Effect[] } {
  const effects: Effect[] = [];
  for (const event of events) {
    const [next, out] = step(state, event);
    state = next;
    effects.push(...out);
  }
  return { state, effects };
}

const types = (effects: readonly Effect[]) => effects.map((e) => e.type);
const conflictAt = (round: bigint, code = 2): Conflict => ({ channel_id: 'ch_x' as Encoded<'ch'>, round, error_code: code, error_msg: 'conflict' });

/** Connected and open at round 1. */
const open = (): CoreState => run(initialState('awaiting_open', 1n), { type: 'connected' }, { type: 'info', event: 'open' }).state;

const ownUpdate = (op: Operation, seq = 10): CoreEvent => ({ type: 'sign_request', seq, method: 'channels.sign.update', peer: false, op, verdict: { ok: true, next: coSigned(2n) } });
const peerUpdate = (seq = 10): CoreEvent => ({ type: 'sign_request', seq, method: 'channels.sign.update_ack', peer: true, op: undefined, verdict: { ok: true, next: coSigned(2n) } });
const signed = (seq = 10, name = 'r2'): CoreEvent => ({ type: 'signer_answer', seq, answer: { signed: tx(name), verified: { tx: tx(name), signers: [] } } });

describe('connecting and opening', () => {
  test('connecting, then the node’s status; open for operations once the node says open and a state is co-signed', () => {
    const start = initialState('awaiting_open', undefined);
    expect(statusOf(start)).toBe('connecting');
    const connected = run(start, { type: 'connected' }).state;
    expect(statusOf(connected)).toBe('awaiting_open');
    const opened = run(connected, { type: 'info', event: 'open' });
    // No co-signed state yet: open, but not ready.
    expect([statusOf(opened.state), isReady(opened.state), types(opened.effects)]).toEqual(['open', false, []]);
    const ready = run(opened.state, { type: 'co_signed', state: coSigned(1n), fresh: true });
    expect(types(ready.effects)).toEqual(['emit_state', 'ready']);
    // Once only.
    expect(types(run(ready.state, { type: 'info', event: 'open' }).effects)).toEqual([]);
  });

  test('the create tx we sign founds the channel before its state is recorded, and waits for its depth on chain', () => {
    const founds = 'ch_new' as Encoded<'ch'>;
    const state = run(initialState('awaiting_open', undefined), { type: 'connected' }).state;
    const { state: after, effects } = run(
      state,
      { type: 'sign_request', seq: 3, method: 'channels.sign.initiator_sign', peer: false, op: undefined, verdict: { ok: true, founds, next: coSigned(1n, 'create') } },
      signed(3, 'create'),
    );
    expect(types(effects)).toEqual(['ask_signer', 'found', 'save']);
    const stored = run(after, { type: 'stored', seq: 3, failed: false });
    expect(types(stored.effects)).toEqual(['reply']);
    expect(statusOf(stored.state)).toBe('awaiting_locked');
  });

  test('a socket that cannot connect fails every operation', () => {
    const { state, effects } = run(initialState('reestablishing', 1n), { type: 'connect_failed', error: new ConflictError(1n, 1, 'x') });
    expect([statusOf(state), types(effects)]).toEqual(['disconnected', ['fail_all', 'ended']]);
  });
});

describe('a signing round', () => {
  test('own update: the signer is asked, the state recorded before the signature goes out, the co-signed report settles it', () => {
    const op = operation({}, 5);
    const asked = run(open(), ownUpdate(op));
    expect([statusOf(asked.state), types(asked.effects)]).toEqual(['signing', ['ask_signer']]);
    const answered = run(asked.state, signed());
    expect([answered.state.kind, types(answered.effects)]).toEqual(['storing', ['save']]);
    const sent = run(answered.state, { type: 'stored', seq: 10, failed: false });
    expect([statusOf(sent.state), types(sent.effects)]).toEqual(['awaiting_ack', ['signed', 'reply']]);
    expect(sent.effects[1]).toEqual({ type: 'reply', method: 'channels.sign.update', reply: { signed_tx: tx('r2') } });
    const done = run(sent.state, { type: 'co_signed', state: coSigned(2n), fresh: true });
    expect(types(done.effects)).toEqual(['abort_signer', 'emit_state', 'settle', 'ready']);
    expect(done.effects[2]).toEqual({ type: 'settle', op, outcome: { value: 2n } });
    expect(done.effects[1]).toEqual({ type: 'emit_state', state: coSigned(2n), own: true });
  });

  test('a store that fails: the signature is never sent, the request refused', () => {
    const op = operation({}, 5);
    const { state, effects } = run(open(), ownUpdate(op), signed(), { type: 'stored', seq: 10, failed: true });
    const replies = effects.filter((e) => e.type === 'reply');
    expect(replies).toEqual([{ type: 'reply', method: 'channels.sign.update', reply: { error: AbortCode.STORE_FAILED } }]);
    expect(state.kind).toBe('idle');
  });

  test('a conflict while the signer works ends the round at once: the signal fires, the late answer goes nowhere', () => {
    const op = operation({}, 5);
    const asked = run(open(), ownUpdate(op)).state;
    const ended = run(asked, { type: 'conflict', seq: 11, conflict: conflictAt(1n), current: op });
    expect(types(ended.effects)).toEqual(['emit_conflict', 'abort_signer', 'drop_pending', 'settle', 'ready']);
    const settle = ended.effects.find((e) => e.type === 'settle');
    expect(settle && 'error' in settle.outcome && settle.outcome.error).toBeInstanceOf(ConflictError);
    expect(statusOf(ended.state)).toBe('open');
    const late = run(ended.state, signed());
    expect([late.state, late.effects]).toEqual([ended.state, []]);
  });

  test('a newer sign request ends the round left open: its signer is told, its operation fails', () => {
    const op = operation({}, 5);
    const { state, effects } = run(open(), ownUpdate(op), peerUpdate(12));
    expect(types(effects)).toEqual(['ask_signer', 'abort_signer', 'settle', 'emit_error', 'ask_signer']);
    expect(state.kind === 'signing' && state.round.seq).toBe(12);
    expect(run(state, signed(10)).effects).toEqual([]);
  });

  test('a declining signer sends nothing; the node’s conflict ends the round', () => {
    const op = operation({}, 5);
    const declined = run(open(), ownUpdate(op), { type: 'signer_answer', seq: 10, answer: { decline: true } });
    expect([declined.state.kind, statusOf(declined.state), types(declined.effects)]).toEqual(['declined', 'signing', ['ask_signer']]);
    const ended = run(declined.state, { type: 'conflict', seq: 13, conflict: conflictAt(1n), current: op });
    expect(types(ended.effects)).toEqual(['emit_conflict', 'abort_signer', 'drop_pending', 'settle', 'ready']);
  });

  test('the socket closing mid-round tells the signer and fails what waits; a close under way ends closed', () => {
    const asked = run(open(), peerUpdate()).state;
    const closed = run(asked, { type: 'socket_closed', error: new ConflictError(1n, 1, 'x') });
    expect([statusOf(closed.state), types(closed.effects)]).toEqual(['disconnected', ['abort_signer', 'fail_all', 'ended']]);
    const closing = run(open(), { type: 'info', event: 'closing' }, peerUpdate(), { type: 'socket_closed', error: new ConflictError(1n, 1, 'x') });
    expect(statusOf(closing.state)).toBe('closed');
  });
});

describe('refusals end the round here at once', () => {
  test('a refused request settles its operation and frees the queue; the node’s aborted_update then ends nothing', () => {
    const op = operation({}, 5);
    const refused = run(open(), { type: 'sign_request', seq: 10, method: 'channels.sign.update', peer: false, op, verdict: { ok: false, code: AbortCode.WRONG_ROUND, reason: 'round 5' } });
    // Straight from open to open: no round is left for the next operation to wait for.
    expect(types(refused.effects)).toEqual(['abort_signer', 'emit_refused', 'reply', 'settle']);
    const settle = refused.effects.find((e) => e.type === 'settle');
    expect(settle && 'error' in settle.outcome && settle.outcome.error).toBeInstanceOf(RefusedError);
    expect(mayStart(refused.state, operation())).toBe('start');
    const echo = run(refused.state, { type: 'aborted_update' });
    expect(echo.effects).toEqual([]);
    // A second one is no echo of ours.
    expect(types(run(echo.state, { type: 'aborted_update' }).effects)).toEqual(['emit_error']);
  });

  test('the 2019 node echoes an abort with a conflict: not a straggler, and it settles nothing', () => {
    const op = operation({}, 5);
    const refused = run(open(), ownUpdate(op), { type: 'signer_answer', seq: 10, answer: { abort: 4000 } }).state;
    const { effects } = run(refused, { type: 'conflict', seq: 12, conflict: conflictAt(1n, 4000), current: undefined });
    expect(effects).toEqual([{ type: 'emit_conflict', conflict: { round: 1n, code: 4000, message: 'conflict', stray: false } }]);
  });
});

describe('superseding the peer’s request', () => {
  test('an operation that supersedes starts while the peer’s request waits for the signer; the conflict settles it', () => {
    const asked = run(open(), peerUpdate()).state;
    expect(mayStart(asked, operation())).toBe('wait');
    const ours = operation({ supersede: true });
    expect(mayStart(asked, ours)).toBe('supersede');
    const superseded = run(asked, { type: 'supersede' });
    expect([superseded.state.kind, types(superseded.effects)]).toEqual(['declined', ['abort_signer']]);
    // The node answers our request "ok" (seq 11), then the conflict for both.
    const started = { ...ours, okSeq: 11 };
    const ended = run(superseded.state, { type: 'conflict', seq: 12, conflict: conflictAt(1n), current: started });
    expect(ended.effects.filter((e) => e.type === 'settle').map((e) => e.type === 'settle' && e.op)).toEqual([started]);
    expect(run(ended.state, signed()).effects).toEqual([]);
  });

  test('only the peer’s request can be superseded', () => {
    const asked = run(open(), ownUpdate(operation({}, 5))).state;
    expect(mayStart(asked, operation({ supersede: true }))).toBe('wait');
    expect(run(asked, { type: 'supersede' }).effects).toEqual([]);
  });
});

describe('rounds no operation of ours asked for', () => {
  test('an unasked solo tx (a slash) ends with our answer: it leads to no state and holds up nothing', () => {
    const { state, effects } = run(
      open(),
      { type: 'sign_request', seq: 20, method: 'channels.sign.slash_tx', peer: false, op: undefined, verdict: { ok: true } },
      { type: 'signer_answer', seq: 20, answer: { signed: tx('slash'), verified: { tx: tx('slash'), signers: [] } } },
    );
    expect(types(effects)).toEqual(['ask_signer', 'reply', 'ready']);
    expect(isReady(state)).toBe(true);
  });

  test('once the node reports can_slash, the view says a slash asked for unasked is in order', () => {
    const { state } = run(open(), { type: 'on_chain', tx: tx('close'), txType: 'channel_close_solo_tx', info: 'can_slash' });
    expect(state.kind === 'idle' && state.session.canSlash).toBe(true);
    expect(isReady(state)).toBe(true);
  });

  test("an included snapshot's round is the round on chain; an older one reported later does not lower it", () => {
    const snapshot = (round: bigint) => ({ type: 'on_chain', tx: tx(`snap${round}`), txType: 'channel_snapshot_solo_tx', info: 'channel_changed', snapshotRound: round }) as const;
    const { state } = run(open(), snapshot(7n), snapshot(5n), { type: 'on_chain', tx: tx('deposit'), txType: 'channel_deposit_tx', info: 'channel_changed' });
    expect(state.kind === 'idle' && state.session.onChainRound).toBe(7n);
  });

  test('a snapshot frees the queue once signed and waits for its tx on chain', () => {
    const op = operation({ signMethod: 'channels.sign.snapshot_solo_tx', completion: { kind: 'on_chain', txType: 'channel_snapshot_solo_tx', released: true } }, 5);
    const { state, effects } = run(open(), { type: 'sign_request', seq: 20, method: 'channels.sign.snapshot_solo_tx', peer: false, op, verdict: { ok: true } }, signed(20, 'snap'));
    expect(types(effects)).toEqual(['ask_signer', 'signed', 'reply', 'release', 'ready']);
    expect(isReady(state)).toBe(true);
  });

  test('a close solo of ours ends when its tx is reported on chain', () => {
    const op = operation({ signMethod: 'channels.sign.close_solo_sign', completion: { kind: 'on_chain', txType: 'channel_close_solo_tx' } }, 5);
    const sent = run(open(), { type: 'sign_request', seq: 20, method: 'channels.sign.close_solo_sign', peer: false, op, verdict: { ok: true } }, signed(20, 'close')).state;
    expect(statusOf(sent)).toBe('awaiting_ack');
    const other = run(sent, { type: 'on_chain', tx: tx('x'), txType: 'channel_deposit_tx', info: 'channel_changed' });
    expect(other.effects).toEqual([]);
    const done = run(sent, { type: 'on_chain', tx: tx('close'), txType: 'channel_close_solo_tx', info: 'channel_changed' });
    expect(types(done.effects)).toEqual(['abort_signer', 'settle', 'ready']);
  });
});

describe('reestablishing', () => {
  test('back with a running FSM: a conflict of the round it never showed us ends the update it dropped', () => {
    const op = operation({}, 7);
    const back = run(initialState('reestablishing', 1n), { type: 'connected' }, { type: 'resumed', current: undefined, sameFsm: true }, { type: 'synced' });
    expect(types(back.effects)).toEqual(['ready']);
    const { effects } = run(back.state, { type: 'conflict', seq: 9, conflict: conflictAt(1n), current: op });
    expect(effects.filter((e) => e.type === 'settle').map((e) => e.type === 'settle' && e.op)).toEqual([op]);
  });

  test('a conflict with no round open is a straggler: it settles nothing', () => {
    const op = operation({}, 7);
    const { effects } = run(open(), { type: 'conflict', seq: 9, conflict: conflictAt(1n), current: op });
    expect(effects).toEqual([{ type: 'emit_conflict', conflict: { round: 1n, code: 2, message: 'conflict', stray: true } }]);
  });

  test('leaving: the state handed back, then the socket closes as left', () => {
    const { state, effects } = run(open(), { type: 'left', tx: tx('r1') }, { type: 'socket_closed', error: new ConflictError(1n, 1, 'x') });
    expect([statusOf(state), types(effects)]).toEqual(['left', ['left', 'fail_all', 'ended']]);
  });
});

describe('reconnecting after a lost socket', () => {
  const lost = { type: 'socket_lost', error: new ConflictError(1n, 1, 'x') } as const;

  test('our signature was out: it is sent again, and the co-signed state the sync adopts settles the update', () => {
    const op = operation({}, 7);
    const away = run(open(), ownUpdate(op), signed(), { type: 'stored', seq: 10, failed: false }, lost);
    expect([statusOf(away.state), types(away.effects).slice(-1)]).toEqual(['reconnecting', ['reconnect']]);
    const back = run(away.state, { type: 'connected' }, { type: 'resumed', current: op, sameFsm: true });
    expect(back.effects).toEqual([{ type: 'reply', method: 'channels.sign.update', reply: { signed_tx: tx('r2') } }]);
    const done = run(back.state, { type: 'co_signed', state: coSigned(2n), fresh: true }, { type: 'synced' });
    expect(types(done.effects)).toEqual(['abort_signer', 'emit_state', 'settle', 'ready']);
  });

  test('it was not: the node is told no, and the update, never signed, is queued again', () => {
    const op = operation({}, 7);
    const away = run(open(), ownUpdate(op), lost);
    expect(types(away.effects)).toEqual(['ask_signer', 'abort_signer', 'reconnect']);
    const back = run(away.state, signed(), { type: 'resumed', current: op, sameFsm: true });
    expect(back.effects).toEqual([
      { type: 'reply', method: 'channels.sign.update', reply: { error: AbortCode.UNEXPECTED_REQUEST } },
      { type: 'drop_pending', sent: false },
      { type: 'requeue', op },
    ]);
    expect(types(run(back.state, { type: 'synced' }).effects)).toEqual(['ready']);
  });

  test('synced after the resend: the node holding our proposal half-signed waits on; one holding neither ended the round, and nothing was applied', () => {
    const op = operation({}, 7);
    const back = run(open(), ownUpdate(op), signed(), { type: 'stored', seq: 10, failed: false }, lost, { type: 'resumed', current: op, sameFsm: true }).state;
    const waiting = run(back, { type: 'co_signed', state: coSigned(1n), fresh: false }, { type: 'synced', halfSigned: tx('r2') });
    expect([statusOf(waiting.state), types(waiting.effects)]).toEqual(['awaiting_ack', []]);
    const ended = run(back, { type: 'co_signed', state: coSigned(1n), fresh: false }, { type: 'synced' });
    expect(types(ended.effects)).toEqual(['drop_pending', 'settle', 'ready']);
  });

  test('a request lost with the socket waits for the reconnect; a clean close or spent attempts end the channel', () => {
    const op = operation({}, 7);
    const away = run(open(), lost, { type: 'start_failed', op, error: new RefusedError('x', 1, 'x') });
    expect(types(away.effects)).toEqual(['reconnect', 'settle']);
    const quiet = run(open(), lost, { type: 'start_failed', op, error: { kind: 'disconnected' } as never });
    expect(types(quiet.effects)).toEqual(['reconnect']);
    for (const type of ['socket_closed', 'reconnect_failed'] as const) {
      const ended = run(quiet.state, { type, error: new ConflictError(1n, 1, 'x') });
      expect([statusOf(ended.state), types(ended.effects)]).toEqual(['disconnected', ['fail_all', 'ended']]);
    }
  });

  test('back on a new FSM: our signature is not sent again; not open until its state is checked; a state without our round ends the round', () => {
    const op = operation({}, 7);
    const away = run(open(), ownUpdate(op), signed(), { type: 'stored', seq: 10, failed: false }, lost).state;
    const back = run(away, { type: 'resumed', current: op, sameFsm: false }, { type: 'info', event: 'open' });
    expect([statusOf(back.state), back.effects]).toEqual(['awaiting_ack', []]);
    const ended = run(back.state, { type: 'co_signed', state: coSigned(1n), fresh: false });
    expect([types(ended.effects), isReady(ended.state)]).toEqual([['drop_pending', 'settle', 'ready'], true]);
    expect(ended.effects[0]).toEqual({ type: 'drop_pending', sent: true });
  });

  test('back on a new FSM with no signature out: nothing is refused to it, and the channel opens only once a state is checked', () => {
    const op = operation({}, 7);
    const back = run(open(), ownUpdate(op), lost, { type: 'resumed', current: op, sameFsm: false }, { type: 'info', event: 'open' });
    expect(back.effects.slice(-2)).toEqual([{ type: 'drop_pending', sent: false }, { type: 'requeue', op }]);
    expect(isReady(back.state)).toBe(false);
    expect(types(run(back.state, { type: 'co_signed', state: coSigned(1n), fresh: false }).effects)).toEqual(['drop_pending', 'ready']);
  });

  test('a conflict ends a round whose signature went out without keeping its state: a node that took it reports the state', () => {
    const away = run(open(), peerUpdate(), signed(), { type: 'stored', seq: 10, failed: false }, { type: 'conflict', seq: 12, conflict: conflictAt(1n), current: undefined });
    expect(away.effects).toContainEqual({ type: 'drop_pending', sent: false });
  });

  test('a channel that left, or never opened, is not reconnected', () => {
    const left = run(open(), { type: 'left', tx: tx('r1') }, lost);
    expect([statusOf(left.state), types(left.effects)]).toEqual(['left', ['left', 'fail_all', 'ended']]);
    const opening = run(initialState('awaiting_open', undefined), { type: 'connected' }, lost);
    expect(statusOf(opening.state)).toBe('disconnected');
  });
});
