/**
 * Isolation under attack: while one connection floods small frames, one sends a value nested
 * deep and a huge number, and one never reads, an honest channel's pings stay fast and the
 * node's memory stays flat. The figures are printed (and quoted in the README's Limits).
 */
import { generateKeyPair } from '@ch/codec';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startNode, type RunningNode } from './node.js';
import { connectPair, NETWORK_ID } from './test-support/channel.js';

const keys = Array.from({ length: 8 }, generateKeyPair);
let node: RunningNode;
beforeAll(async () => {
  node = await startNode({ networkId: NETWORK_ID, accounts: keys.map((k) => ({ publicKey: k.publicKey, balance: 10n ** 21n })), log: () => undefined });
});
afterAll(() => node.stop());

test('an honest channel’s ping p99 stays under 50 ms and RSS grows under 256 MiB during a flood, a deep value and a non-reader', async () => {
  const rss0 = process.memoryUsage().rss;
  const [honest, honestPeer] = await connectPair(node, keys[0]!, keys[1]!);
  const [flooder, f2] = await connectPair(node, keys[2]!, keys[3]!);
  const [deep, d2] = await connectPair(node, keys[4]!, keys[5]!);
  const [reader, r2] = await connectPair(node, keys[6]!, keys[7]!);
  // The non-reader stops reading and asks for pongs.
  (reader.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const attacks = setInterval(() => {
    for (let n = 0; n < 500; n++) if (flooder.ws.readyState === 1) flooder.ws.send('{"jsonrpc":"2.0","method":"channels.system","params":{"action":"ping"}}');
    if (reader.ws.readyState === 1) reader.request('channels.system', { action: 'ping' });
  }, 1);
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
  clearInterval(attacks);
  times.sort((a, b) => a - b);
  const p50 = times[100]!;
  const p99 = times[197]!;
  const grew = (peak - rss0) / 2 ** 20;
  console.log(`honest ping p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; RSS grew ${grew.toFixed(0)} MiB; flooder closed ${flooder.closed}, deep closed ${deep.closed}`);
  expect(p99).toBeLessThan(50);
  expect(grew).toBeLessThan(256);
  for (const c of [honest, honestPeer, flooder, f2, deep, d2, reader, r2]) c.ws.terminate();
}, 30_000);
