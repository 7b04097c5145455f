/**
 * Malformed WebSocket frames over raw TCP, each on its own connection: the node closes that
 * connection and stays up, and a fresh channel opens after every one.
 */
import { connect, type Socket } from 'node:net';
import { generateKeyPair } from '@ch/codec';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startNode, type RunningNode } from './node.js';
import { connectPair, NETWORK_ID } from './test-support/channel.js';

const i = generateKeyPair();
const r = generateKeyPair();
let node: RunningNode;
beforeAll(async () => {
  node = await startNode({ networkId: NETWORK_ID, accounts: [i, r].map((k) => ({ publicKey: k.publicKey, balance: 10n ** 21n })), limits: { maxFrameBytes: 64 * 1024, handshakeTimeoutMs: 500 } });
});
afterAll(() => node.stop());

/** A client frame: FIN/RSV/opcode byte, masked payload unless `unmasked`. */
function frame(first: number, payload: Buffer, unmasked = false): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([first, (unmasked ? 0 : 0x80) | len]) : len < 65536 ? Buffer.from([first, (unmasked ? 0 : 0x80) | 126, len >> 8, len & 255]) : Buffer.concat([Buffer.from([first, (unmasked ? 0 : 0x80) | 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(len)); return b; })()]);
  if (unmasked) return Buffer.concat([head, payload]);
  const mask = Buffer.from([1, 2, 3, 4]);
  return Buffer.concat([head, mask, Buffer.from(payload.map((b, n) => b ^ mask[n % 4]!))]);
}
const closeFrame = (code: number): Buffer => frame(0x88, Buffer.from([code >> 8, code & 255]));

const KINDS: [string, Buffer][] = [
  ['bad UTF-8 text', frame(0x81, Buffer.from([0xff, 0xfe, 0xfd]))],
  ['reserved opcode 3', frame(0x83, Buffer.from('x'))],
  ['reserved control opcode 0xB', frame(0x8b, Buffer.alloc(0))],
  ['RSV1 without extension', frame(0xc1, Buffer.from('{}'))],
  ['RSV2', frame(0xa1, Buffer.from('{}'))],
  ['RSV3', frame(0x91, Buffer.from('{}'))],
  ['unmasked client frame', frame(0x81, Buffer.from('{}'), true)],
  ['fragmented ping', frame(0x09, Buffer.from('x'))],
  ['oversize ping (126 bytes)', frame(0x89, Buffer.alloc(126))],
  ['close code 0', closeFrame(0)],
  ['close code 1005', closeFrame(1005)],
  ['close code 5000', closeFrame(5000)],
  ['close with 1-byte payload', frame(0x88, Buffer.from([3]))],
  ['close reason bad UTF-8', frame(0x88, Buffer.from([0x03, 0xe8, 0xff]))],
  ['continuation without start', frame(0x80, Buffer.from('x'))],
  ['new text inside a fragmented one', Buffer.concat([frame(0x01, Buffer.from('[')), frame(0x81, Buffer.from(']'))])],
  ['oversize frame', frame(0x81, Buffer.alloc(64 * 1024 + 1, 0x20))],
  ['oversize length field 2^63', Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4])],
];

/** Upgrades a raw socket, writes `bytes`, resolves when the node ends the connection. */
async function attack(bytes: Buffer): Promise<void> {
  const url = new URL(node.url);
  const socket: Socket = connect(Number(url.port), url.hostname);
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const query = new URLSearchParams({ role: 'initiator', host: 'localhost', initiator_id: i.publicKey, responder_id: r.publicKey, lock_period: '10', push_amount: '1', initiator_amount: '8', responder_amount: '4', channel_reserve: '2', port: '1' });
  socket.write(`GET /channel?${query} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.write(bytes);
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the node kept the connection')), 3000));
  await Promise.race([ended, timeout]);
  socket.destroy();
}

test.each(KINDS)('%s: the connection is closed, the node stays up and a fresh channel opens', async (_kind, bytes) => {
  await attack(bytes);
  const [I, R] = await connectPair(node, i, r);
  const ping = I.request('channels.system', { action: 'ping' });
  expect((await I.nextReply(ping, 2000)).result).toEqual({ action: 'system', tag: 'pong' });
  I.ws.close();
  R.ws.close();
});

test.each([
  ['JSON nested 100 deep', '['.repeat(100) + ']'.repeat(100)],
  ['a 200-digit number', `{"id":${'9'.repeat(200)}}`],
])('%s on an open session is closed with 1009, and a fresh channel opens', async (_kind, text) => {
  const [I, R] = await connectPair(node, i, r);
  const code = new Promise<number>((resolve) => I.ws.once('close', (c) => resolve(c)));
  I.ws.send(text);
  await I.waitForClose(2000);
  expect(await code).toBe(1009);
  R.ws.close();
  const [I2, R2] = await connectPair(node, i, r);
  const ping = I2.request('channels.system', { action: 'ping' });
  expect((await I2.nextReply(ping, 2000)).result).toEqual({ action: 'system', tag: 'pong' });
  I2.ws.close();
  R2.ws.close();
});
