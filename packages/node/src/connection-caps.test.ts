/**
 * Connection caps: connections that never upgrade are dropped after the handshake timeout, and
 * an attacker holding the cap of them, or opening more all the time, does not keep an honest
 * client from upgrading.
 */
import { connect, type Socket } from 'node:net';
import { generateKeyPair } from '@ch/codec';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startNode, type RunningNode } from './node.js';
import { NETWORK_ID, pingFromNewPair } from './test-support/channel.js';

const i = generateKeyPair();
const r = generateKeyPair();
const PENDING = 20;
const HANDSHAKE_MS = 400;
let node: RunningNode;
beforeAll(async () => {
  node = await startNode({ networkId: NETWORK_ID, accounts: [i, r].map((k) => ({ publicKey: k.publicKey, balance: 10n ** 21n })), limits: { maxPendingConnections: PENDING, handshakeTimeoutMs: HANDSHAKE_MS }, log: () => undefined });
});
afterAll(() => node.stop());

async function idle(): Promise<{ socket: Socket; closedAt: Promise<number> }> {
  const socket = connect(node.port, '127.0.0.1');
  socket.on('error', () => undefined);
  const closedAt = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closedAt };
}

test('a connection that never upgrades (or sends half a request) is closed after the handshake timeout', async () => {
  const started = Date.now();
  const silent = await idle();
  const half = await idle();
  half.socket.write('GET /channel HTTP/1.1\r\nHost: x\r\n');
  for (const { closedAt } of [silent, half]) {
    const elapsed = (await closedAt) - started;
    expect(elapsed).toBeGreaterThanOrEqual(HANDSHAKE_MS - 50);
    expect(elapsed).toBeLessThan(HANDSHAKE_MS * 4);
  }
});

test('with the cap of idle connections held, an honest pair still opens a channel', async () => {
  const crowd = await Promise.all(Array.from({ length: PENDING }, idle));
  expect(await pingFromNewPair(node, i, r)).toEqual({ action: 'system', tag: 'pong' });
  for (const { socket } of crowd) socket.destroy();
});

test('an attacker opening idle connections all the time evicts its own, not a client halfway through its upgrade request', async () => {
  const crowd = await Promise.all(Array.from({ length: PENDING }, idle));
  const honest = await idle();
  const replies: Buffer[] = [];
  honest.socket.on('data', (b: Buffer) => replies.push(b));
  const request = `GET /channel HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  honest.socket.write(request.slice(0, 40));
  // Let the node read the first half before the crowd comes.
  await new Promise((resolve) => setTimeout(resolve, 30));
  const started = Date.now();
  const more = await Promise.all(Array.from({ length: 2 * PENDING }, idle));
  // The crowd made room for itself: its first ones were evicted, well before their handshake timeout…
  const evictedAt = await Promise.all(crowd.map(({ closedAt }) => closedAt));
  expect(Math.max(...evictedAt) - started).toBeLessThan(HANDSHAKE_MS / 2);
  // …and, once the node has taken all of the newer ones, the honest client finishes its request.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(honest.socket.destroyed).toBe(false);
  honest.socket.write(request.slice(40));
  await new Promise<void>((resolve, reject) => {
    honest.socket.on('data', () => {
      if (Buffer.concat(replies).toString().startsWith('HTTP/1.1 101 ')) resolve();
    });
    honest.socket.once('close', () => reject(new Error('the honest client was dropped')));
    setTimeout(() => reject(new Error('no upgrade within 2 s')), 2000);
  });
  for (const { socket } of [honest, ...crowd, ...more]) socket.destroy();
});

test('with the cap held by connections that each sent a byte, a newcomer still makes room and upgrades', async () => {
  const crowd = await Promise.all(Array.from({ length: PENDING }, idle));
  for (const { socket } of crowd) socket.write('G');
  // Read by the node: none of the crowd is idle any more.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await pingFromNewPair(node, i, r)).toEqual({ action: 'system', tag: 'pong' });
  for (const { socket } of crowd) socket.destroy();
});
