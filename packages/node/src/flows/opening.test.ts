/**
 * Opening, its minimum depths and its timers, and the requests any state answers (pings, in-band
 * messages, meta updates), replayed from the recorded logs. Recorded timeouts are cut tenfold to
 * keep the suite fast; what fires, and in which state, is the same.
 */
import { txHash, type Encoded } from '@ch/codec';
import { afterEach, expect, test } from 'vitest';
import type { Json } from '../test-support/client.js';
import { FlowRunner, type PlayOptions } from '../test-support/flows.js';
import type { TranscriptReplay } from '../test-support/transcript-replay.js';

const runner = new FlowRunner();
afterEach(() => runner.stop());

async function expectRecorded(file: string, options: PlayOptions = {}): Promise<TranscriptReplay> {
  const r = await runner.play(file, options);
  const { got, want } = runner.compared();
  expect(got).toEqual(want);
  return r;
}

/** `timeout_*` opening parameters, ten times shorter (and `extra` ms longer). */
function fasterTimers(query: Record<string, string>, extra = 0): Record<string, string> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, k.startsWith('timeout_') ? String(Number(v) / 10 + extra) : v]));
}

test('assume_min_depth/sc_ws_basic_open_close: both assume the create tx deep enough, and hear when it is', async () => {
  // The clients name the create tx by its hash: the recorded one stands for this run's.
  const createTx = (r: TranscriptReplay): void => {
    const funding = r.of('initiator')[0]!.client.received.find((m) => ((m.params as Json | undefined)?.data as Json | undefined)?.info === 'funding_signed')!;
    const recorded = (r.steps[28]!.message!.params as Json).tx_hash as string;
    r.swaps.set(recorded, txHash(((funding.params as Json).data as Json).tx as Encoded<'tx'>));
  };
  const r = await expectRecorded('assume_min_depth/sc_ws_basic_open_close.json', { hooks: { 28: createTx } });
  const notices = r.sessions.flatMap((s) => s.client.received).filter((m) => ((m.params as Json | undefined)?.data as Json | undefined)?.event === 'minimum_depth_achieved');
  expect(notices.map((m) => ((m.params as Json).data as Json).notice)).toEqual(['already_assumed', 'already_assumed']);
});

test('sc_ws_min_depth_is_modifiable: minimum_depth 0', async () => {
  await expectRecorded('sc_ws_min_depth_is_modifiable.json');
  expect(runner.checkHashes('initiator')).toBeGreaterThan(4);
});

test('sc_ws_timeout_open: an initiator nobody answers times out', async () => {
  await expectRecorded('sc_ws_timeout_open.json', { query: (q) => fasterTimers(q) });
});

test('sc_ws_min_depth_not_reached_timeout: the create tx never gets deep enough', async () => {
  // Both timers restart with the same block; the recorded initiator's fired first, so here the
  // responder's runs a little longer and it dies with its peer instead.
  await expectRecorded('sc_ws_min_depth_not_reached_timeout.json', { query: (q, actor) => fasterTimers(q, actor === 'responder' ? 100 : 0) });
});

test('sc_ws_opening_ping_pong: pings answered in every opening state', async () => {
  await runner.play('sc_ws_opening_ping_pong.json');
  // A ping is answered at once; where a pong falls among the opening's events depends on how fast
  // the peer's node answered, which here is the same process. The rest keeps its order.
  const pongs = (shapes: string[]) => shapes.filter((s) => s === 'channels.system.pong').length;
  const others = (shapes: string[]) => shapes.filter((s) => s !== 'channels.system.pong');
  const { got, want } = runner.compared();
  expect(got.map(others)).toEqual(want.map(others));
  expect(got.map(pongs)).toEqual(want.map(pongs));
});

test.each(['continuous/sc_ws_ping_pong.json', 'continuous/sc_ws_generic_messages.json'])('%s', async (file) => {
  await expectRecorded(file, { init: 'continuous/init_per_group.json' });
});

test('sc_ws_update_with_meta: the meta list is signed along with the transfer', async () => {
  const r = await expectRecorded('sc_ws_update_with_meta.json');
  const signRequests = r.sessions.flatMap((s) => s.client.received).filter((m) => m.method === 'channels.sign.update');
  expect(signRequests.length).toBeGreaterThan(0);
  for (const m of signRequests) expect(((m.params as Json).data as Json).updates).toContainEqual({ data: 'meta 1', op: 'OffChainMeta' });
  expect(runner.checkHashes('initiator')).toBeGreaterThan(4);
});
