/**
 * The idle timeout (cowboy's, a minute on the node; shortened here): a client that sends nothing
 * is closed with 1000, one that pings (`channels.system` ping, answered with a pong) stays, and
 * the node's own reports do not keep a silent client connected.
 */
import { generateKeyPair } from '@ch/codec';
import { afterEach, expect, test } from 'vitest';
import { startNode, type RunningNode } from '../node.js';
import { connectPair, NETWORK_ID } from '../test-support/channel.js';
import type { TestClient } from '../test-support/client.js';

const IDLE_MS = 400;

let node: RunningNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

async function pair(): Promise<[TestClient, TestClient]> {
  const [i, r] = [generateKeyPair(), generateKeyPair()];
  node = await startNode({ networkId: NETWORK_ID, accounts: [i, r].map((k) => ({ publicKey: k.publicKey, balance: 10n ** 21n })), idleTimeoutMs: IDLE_MS });
  return connectPair(node, i, r);
}

function closeCode(client: TestClient): Promise<number> {
  return new Promise((resolve) => client.ws.once('close', (code) => resolve(code)));
}

test('a client silent for the idle timeout is closed with 1000, though the node kept sending to it', async () => {
  const [initiator, responder] = await pair();
  const code = closeCode(initiator);
  const started = Date.now();
  // The initiator is asked to sign the create tx (the node speaks) and does not answer.
  await initiator.nextMethod('channels.sign.initiator_sign');
  await initiator.waitForClose(IDLE_MS * 5);
  expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MS - 50);
  expect(await code).toBe(1000);
  // The responder, silent too, goes with it (by its own timeout or with the FSM).
  await responder.waitForClose(IDLE_MS * 5);
});

test('pings keep clients connected past the idle timeout, each answered with a pong', async () => {
  const clients = await pair();
  const ids = new Map<TestClient, bigint[]>(clients.map((c) => [c, []]));
  for (let n = 0; n < 5; n++) {
    for (const c of clients) {
      ids.get(c)!.push(c.request('channels.system', { action: 'ping' }));
      c.notify('channels.system', { action: 'ping' });
    }
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS / 2));
  }
  for (const c of clients) {
    expect(c.closed).toBe(false);
    for (const id of ids.get(c)!) expect((await c.nextReply(id, 1000)).result).toEqual({ action: 'system', tag: 'pong' });
    expect(c.received.filter((m) => m.method === 'channels.system.pong')).toHaveLength(5);
  }
});
