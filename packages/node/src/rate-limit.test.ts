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

test('a client the node holds to its rate longer than the idle timeout is not closed as idle: every request is answered', async () => {
  const slow = await startNode({
    networkId: NETWORK_ID,
    accounts: [i, r].map((k) => ({ publicKey: k.publicKey, balance: 10n ** 21n })),
    limits: { messagesPerSecond: 10, messageBurst: 1, idleTimeoutMs: 300 },
    log: () => undefined,
  });
  try {
    const [I, R] = await connectPair(slow, i, r);
    // The responder keeps alive within its rate, as an honest client does.
    const keepAlive = setInterval(() => R.request('channels.system', { action: 'ping' }), 150);
    // 12 at once, read at 10 a second: they outlast the 300 ms idle timeout four times over.
    const ids = Array.from({ length: 12 }, () => I.request('channels.system', { action: 'ping' }));
    try {
      for (const id of ids) expect(((await I.nextReply(id, 5_000)).result as { tag?: string }).tag).toBe('pong');
    } finally {
      clearInterval(keepAlive);
    }
    expect(I.closed).toBe(false);
    await I.close();
    await R.close();
  } finally {
    await slow.stop();
  }
});
