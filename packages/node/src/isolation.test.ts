/**
 * Isolation under attack: while one connection floods small frames, one sends a value nested
 * deep in an oversize frame, and one never reads, an honest channel's pings stay fast and the
 * node's memory stays flat; each attacker is closed by its limit (1008 for the rate and the
 * unread buffer, 1009 for the size). The figures are printed (and quoted in the README's Limits).
 */
import { generateKeyPair } from '@ch/codec';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startNode, type RunningNode } from './node.js';
import { connectPair, NETWORK_ID } from './test-support/channel.js';
import type { TestClient } from './test-support/client.js';

const keys = Array.from({ length: 8 }, generateKeyPair);
let node: RunningNode;
beforeAll(async () => {
  node = await startNode({ networkId: NETWORK_ID, accounts: keys.map((k) => ({ publicKey: k.publicKey, balance: 10n ** 21n })), log: () => undefined });
});
afterAll(() => node.stop());

/** The code and reason the node closed `c` with, once the close arrives; fails after `ms`. */
function closeOf(c: TestClient, ms: number): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not closed within ${ms} ms`)), ms);
    c.ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

test('an honest channel’s ping p99 stays under 50 ms and RSS grows under 256 MiB during a flood, a deep value and a non-reader', async () => {
  const rss0 = process.memoryUsage().rss;
  const [honest, honestPeer] = await connectPair(node, keys[0]!, keys[1]!);
  const [flooder, f2] = await connectPair(node, keys[2]!, keys[3]!);
  const [deep, d2] = await connectPair(node, keys[4]!, keys[5]!);
  const [reader, r2] = await connectPair(node, keys[6]!, keys[7]!);
  // The node pauses a connection it closes for a violation and cuts it off after the handshake
  // timeout (10 s) if the close is not answered; the close frame reaches the client before that.
  const closes = [closeOf(flooder, 15_000), closeOf(deep, 15_000), closeOf(reader, 15_000)] as const;
  // The flooder sends hundreds of thousands of pings a second, never waiting for a pong.
  const flood = setInterval(() => {
    for (let n = 0; n < 500; n++) if (flooder.ws.readyState === 1) flooder.ws.send('{"jsonrpc":"2.0","method":"channels.system","params":{"action":"ping"}}');
  }, 1);
  // The non-reader stops reading and, well within the rate, asks for replies that echo 256 KiB
  // requests: more than the 8 MiB the node holds unsent within a second.
  const socket = (reader.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  socket.pause();
  const pad = 'y'.repeat(256 * 1024);
  const unread = setInterval(() => {
    if (reader.ws.readyState === 1) reader.request('channels.system', { action: 'x', pad });
  }, 10);
  deep.ws.send('['.repeat(900_000) + ']'.repeat(900_000));
  const times: number[] = [];
  let peak = rss0;
  for (let n = 0; n < 200; n++) {
    const t = performance.now();
    const id = honest.request('channels.system', { action: 'ping' });
    await honest.nextReply(id, 2000);
    times.push(performance.now() - t);
    peak = Math.max(peak, process.memoryUsage().rss);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  clearInterval(flood);
  clearInterval(unread);
  // Reading again, the non-reader gets what was buffered for it, then the close.
  socket.resume();
  const [flooded, deepened, unreadClose] = await Promise.all(closes);
  times.sort((a, b) => a - b);
  const p50 = times[100]!;
  const p99 = times[197]!;
  const grew = (peak - rss0) / 2 ** 20;
  const show = (c: { code: number; reason: string }): string => `${c.code} (${c.reason})`;
  console.log(`honest ping p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; RSS grew ${grew.toFixed(0)} MiB; flooder closed ${show(flooded)}, deep closed ${show(deepened)}, non-reader closed ${show(unreadClose)}`);
  expect(p99).toBeLessThan(50);
  expect(grew).toBeLessThan(256);
  expect(flooded).toEqual({ code: 1008, reason: 'message rate exceeded' });
  expect(deepened.code).toBe(1009);
  expect(unreadClose).toMatchObject({ code: 1008, reason: expect.stringMatching(/^client does not read/) });
  const ping = honest.request('channels.system', { action: 'ping' });
  expect((await honest.nextReply(ping, 2000)).result).toEqual({ action: 'system', tag: 'pong' });
  for (const c of [honest, honestPeer, flooder, f2, deep, d2, reader, r2]) c.ws.terminate();
}, 40_000);
