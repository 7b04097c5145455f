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
    // The reestablished FSM's `fsm_up` names the channel, to either role (as node 7.2.2 does).
    const [first, ...later] = r.of(actor);
    const channelOf = (m: Json | undefined) => m?.channel_id ?? ((m?.params as Json | undefined)?.channel_id as unknown);
    const channelId = channelOf(first!.client.received.find((m) => m.method === 'channels.leave'));
    const fsmUp = later.flatMap((s) => s.client.received).filter((m) => ((m.params as Json | undefined)?.data as Json | undefined)?.event === 'fsm_up');
    expect(fsmUp.length).toBeGreaterThan(0);
    expect(fsmUp.map(channelOf)).toEqual(fsmUp.map(() => channelId));
  }
});

/**
 * Since node PR #3235 (Nov 2021, after these 2020 recordings), a responder that kept running is
 * sent the latest state once reestablished, after `open` (aesc_fsm awaiting_reestablish,
 * force_update_report), as node 7.2.2 does in our own recordings: that frame is added to what was recorded.
 */
function withReestablishedUpdate(shapes: readonly string[]): string[] {
  const at = shapes.indexOf('info channel_reestablished');
  const open = shapes.indexOf('info open', at);
  return at < 0 || open < 0 ? [...shapes] : [...shapes.slice(0, open + 1), 'channels.update', ...shapes.slice(open + 1)];
}

test.each(['sc_ws_leave_reestablish_responder_stays.json', 'sc_ws_leave_reconnect.json'])('%s: a keep-running responder waits for the initiator', async (file) => {
  const r = await runner.play(file);
  const { got, want } = runner.compared();
  expect(got).toEqual(want.map((shapes, n) => (r.sessions[n]!.actor === 'responder' ? withReestablishedUpdate(shapes) : shapes)));
  const [left, resumed] = leftAndResumed(r, 'initiator');
  expect(resumed).toBe(left);
  expect(runner.checkHashes('responder')).toBeGreaterThan(3);
});

test('sc_ws_reconnect_early: the initiator’s client comes back while the channel opens', async () => {
  await runner.play('sc_ws_reconnect_early.json');
  const { got, want } = runner.compared();
  expect(got).toEqual(want);
});
