/**
 * Closing channels mutually, replayed from the recorded logs: shutdown_sign / shutdown_sign_ack,
 * the close mutual tx on chain, `closed_confirmed`, `died`, and the node closing the sockets.
 */
import { afterEach, expect, test } from 'vitest';
import type { Json } from '../test-support/client.js';
import { FlowRunner } from '../test-support/flows.js';

const runner = new FlowRunner();
afterEach(() => runner.stop());

test('sc_ws_close_mutual: two channels, closed by each side in turn', async () => {
  // The first channel's end was recorded after the second channel's sockets opened.
  const r = await runner.play('sc_ws_close_mutual.json', { previousSession: [79, 80, 81, 82] });
  const { got, want } = runner.compared();
  expect(got).toEqual(want);
  const closed = r.sessions.flatMap((s) => s.client.received).filter((m) => m.method === 'channels.on_chain_tx' && ((m.params as Json).data as Json).info === 'channel_closed');
  expect(closed).toHaveLength(4);
  expect(r.sessions.every((s) => s.client.closed)).toBe(true);
  expect(runner.checkHashes('initiator')).toBeGreaterThan(1);
});

test('abort_updates/sc_ws_abort_shutdown: aborting either side’s signature', async () => {
  await runner.play('abort_updates/sc_ws_abort_shutdown.json');
  const { got, want } = runner.compared();
  expect(got).toEqual(want);
});
