/**
 * The per-connection rates slow a client down rather than cut it off: requests over the rate
 * are all answered, in order, no sooner than the rate allows, and the connection stays open.
 */
import { generateKeyPair } from '@ch/codec';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startNode, type RunningNode } from './node.js';
import { connectPair, NETWORK_ID } from './test-support/channel.js';

const i = generateKeyPair();
const r = generateKeyPair();
const RATE = 200;
const BURST = 20;
let node: RunningNode;
beforeAll(async () => {
  node = await startNode({
    networkId: NETWORK_ID,
    accounts: [i, r].map((k) => ({ publicKey: k.publicKey, balance: 10n ** 21n })),
    limits: { messagesPerSecond: RATE, messageBurst: BURST },
    log: () => undefined,
  });
});
afterAll(() => node.stop());

test('requests over the message rate are all answered in order at the rate, and the connection stays open', async () => {
  const [I, R] = await connectPair(node, i, r);
  // Let the bucket refill from the pair's own opening frames.
  await new Promise((resolve) => setTimeout(resolve, (BURST * 1000) / RATE));
  const count = 220;
  const started = performance.now();
  const ids = Array.from({ length: count }, () => I.request('channels.system', { action: 'ping' }));
  const replies = [];
  for (const id of ids) replies.push(await I.nextReply(id, 10_000));
  const elapsed = performance.now() - started;
  expect(replies.every((m) => (m.result as { tag?: string }).tag === 'pong')).toBe(true);
  const order = I.received.filter((m) => ids.includes(m.id as bigint)).map((m) => m.id);
  expect(order).toEqual(ids);
  // The first BURST go at once, the rest at RATE a second.
  expect(elapsed).toBeGreaterThanOrEqual(((count - BURST) * 1000) / RATE - 50);
  expect(I.closed).toBe(false);
  await I.close();
  await R.close();
});
