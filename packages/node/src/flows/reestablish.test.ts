/**
 * Leaving and coming back, replayed from the recorded logs: `channels.leave` hands both clients the
 * latest co-signed state; a client reestablishes with the channel id and its FSM id (2000 when it
 * names none, 1016 for a wrong one) and the channel goes on at the same round; a client that
 * dropped out while the channel opened reconnects to its still-running FSM.
 */
import { afterEach, expect, test } from 'vitest';
import type { Json } from '../test-support/client.js';
import { FlowRunner } from '../test-support/flows.js';
import type { TranscriptReplay } from '../test-support/transcript-replay.js';

const runner = new FlowRunner();
afterEach(() => runner.stop());

/** The state `channels.leave` handed over, and the state the channel reported first once reestablished. */
function leftAndResumed(r: TranscriptReplay, actor: 'initiator' | 'responder'): [unknown, unknown] {
  const [before, ...after] = r.of(actor);
  const state = (m: Json | undefined) => ((m?.params as Json | undefined)?.data as Json | undefined)?.state;
  return [state(before!.client.received.find((m) => m.method === 'channels.leave')), state(after.flatMap((s) => s.client.received).find((m) => m.method === 'channels.update'))];
}

test.each(['sc_ws_leave_reestablish.json', 'sc_ws_leave_reestablish_wrong_fsm_id.json'])('%s', async (file) => {
  const r = await runner.play(file);
  const { got, want } = runner.compared();
  expect(got).toEqual(want);
  for (const actor of ['initiator', 'responder'] as const) {
    const [left, resumed] = leftAndResumed(r, actor);
    expect(left).toBeDefined();
    expect(resumed).toBe(left);
    expect(runner.checkHashes(actor)).toBeGreaterThan(3);
  }
});

test.each(['sc_ws_leave_reestablish_responder_stays.json', 'sc_ws_leave_reconnect.json'])('%s: a keep-running responder waits for the initiator', async (file) => {
  const r = await runner.play(file);
  const { got, want } = runner.compared();
  expect(got).toEqual(want);
  const [left, resumed] = leftAndResumed(r, 'initiator');
  expect(resumed).toBe(left);
  expect(runner.checkHashes('responder')).toBeGreaterThan(3);
});

test('sc_ws_reconnect_early: the initiator’s client comes back while the channel opens', async () => {
  await runner.play('sc_ws_reconnect_early.json');
  const { got, want } = runner.compared();
  expect(got).toEqual(want);
});
