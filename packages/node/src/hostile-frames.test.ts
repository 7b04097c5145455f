/**
 * Malformed WebSocket frames over raw TCP, each on its own connection: the node closes that
 * connection and stays up, and a fresh channel opens after every one. And a client whose FSM
 * holds a request back while it keeps sending is no longer read once its backlog is full.
 */
import { connect, type Socket } from 'node:net';
import { generateKeyPair } from '@ch/codec';
import { stringifyJson } from '@ch/rpc';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startNode, type RunningNode } from './node.js';
import { closeChannel, connectPair, NETWORK_ID, openChannel, pingFromNewPair } from './test-support/channel.js';
import { DEFAULT_LIMITS } from './ws/limits.js';

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
  ['10,000 empty frames in one write (more held for the rate than twice the burst)', Buffer.concat(Array.from({ length: 10_000 }, () => frame(0x81, Buffer.alloc(0))))],
  ['a message in more fragments than maxFragments', Buffer.concat([frame(0x01, Buffer.alloc(0)), ...Array.from({ length: DEFAULT_LIMITS.maxFragments }, () => frame(0x00, Buffer.alloc(0))), frame(0x80, Buffer.from('{}'))])],
  ['oversize frame', frame(0x81, Buffer.alloc(64 * 1024 + 1, 0x20))],
  ['oversize length field 2^63', Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4])],
];

/**
 * A raw socket upgraded with `query` over a valid initiator's open (so frames reach a live
 * session, not a refused one), `received` what the node sent; `ended` resolves when the node ends it.
 */
async function upgraded(query: Record<string, string> = {}): Promise<{ socket: Socket; received: Buffer[]; ended: Promise<void> }> {
  const url = new URL(node.url);
  const socket: Socket = connect(Number(url.port), url.hostname);
  socket.on('error', () => undefined);
  const received: Buffer[] = [];
  socket.on('data', (b: Buffer) => received.push(b));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const params = new URLSearchParams({ protocol: 'json-rpc', role: 'initiator', host: 'localhost', initiator_id: i.publicKey, responder_id: r.publicKey, lock_period: '10', push_amount: '1', initiator_amount: '8', responder_amount: '4', channel_reserve: '2', port: '1', ...query });
  socket.write(`GET /channel?${params} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  return { socket, received, ended };
}

/** Fails unless `ended` comes within `ms`. */
function within(ended: Promise<void>, ms: number): Promise<void> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the node kept the connection')), ms));
  return Promise.race([ended, timeout]);
}

/** Upgrades a raw socket, writes `bytes`, resolves when the node ends the connection. */
async function attack(bytes: Buffer): Promise<void> {
  const { socket, ended } = await upgraded();
  socket.write(bytes);
  await within(ended, 3000);
  socket.destroy();
}

test.each(KINDS)('%s: the connection is closed, the node stays up and a fresh channel opens', async (_kind, bytes) => {
  await attack(bytes);
  expect(await pingFromNewPair(node, i, r)).toEqual({ action: 'system', tag: 'pong' });
});

test.each(['//', '///', '//@', '//[', '/\\'])('an upgrade to the path %s (no URL at all) is dropped, and the node stays up', async (path) => {
  const url = new URL(node.url);
  const socket: Socket = connect(Number(url.port), url.hostname);
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await within(ended, 3000);
  expect(await pingFromNewPair(node, i, r)).toEqual({ action: 'system', tag: 'pong' });
});

test('a refused open whose client never answers the close is cut off after the handshake timeout, not ws’s 30 s', async () => {
  const started = Date.now();
  // An initiator the chain does not know: answered with 1011 "Participant not found", then closed.
  const { socket, received, ended } = await upgraded({ initiator_id: generateKeyPair().publicKey });
  await within(ended, 2000);
  const elapsed = Date.now() - started;
  expect(elapsed).toBeGreaterThanOrEqual(450);
  const bytes = Buffer.concat(received);
  expect(bytes.includes('"code":1011')).toBe(true);
  // The close frame: code 1000, as cowboy closes a handler that stops.
  expect(bytes.includes(Buffer.from([0x88, 0x02, 0x03, 0xe8]))).toBe(true);
  socket.destroy();
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
  expect(await pingFromNewPair(node, i, r)).toEqual({ action: 'system', tag: 'pong' });
});

test('a client whose FSM holds a request back is read no further than its backlog; other channels stay fast; all is served once the FSM moves on', async () => {
  const c = await openChannel('current');
  try {
    const { initiator: I, responder: R, i: ki, r: kr } = c;
    // The initiator's update waits in awaiting_update_ack for the responder's signature…
    I.notify('channels.update.new', { from: ki.publicKey, to: kr.publicKey, amount: 1 });
    I.request('channels.update', { signed_tx: I.sign(await I.nextMethod('channels.sign.update')) });
    const ack = await R.nextMethod('channels.sign.update_ack');
    // …so its next one is postponed, and everything sent after it waits in the session.
    I.notify('channels.update.new', { from: ki.publicKey, to: kr.publicKey, amount: 2 });
    const ping = frame(0x81, Buffer.from(stringifyJson({ id: 7, jsonrpc: '2.0', method: 'channels.system', params: { action: 'ping', pad: 'p'.repeat(64 * 1024) } })));
    const count = 768;
    const socket = (I.ws as unknown as { _socket: Socket })._socket;
    // The same buffer written again and again: the sender's memory stays small, the node's is measured.
    for (let n = 0; n < count; n++) socket.write(ping);
    const sent = count * ping.length;
    const rss0 = process.memoryUsage().rss;
    const [I2, R2] = await connectPair(c.node, ki, kr);
    const times: number[] = [];
    let peak = rss0;
    for (let n = 0; n < 100; n++) {
      const t = performance.now();
      await I2.nextReply(I2.request('channels.system', { action: 'ping' }), 2000);
      times.push(performance.now() - t);
      peak = Math.max(peak, process.memoryUsage().rss);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    times.sort((a, b) => a - b);
    const grew = (peak - rss0) / 2 ** 20;
    console.log(`backlog: ${(sent / 2 ** 20).toFixed(0)} MiB sent behind a held request, RSS +${grew.toFixed(1)} MiB; other channel's ping p50 ${times[50]!.toFixed(1)} ms, max ${times[99]!.toFixed(1)} ms`);
    // The rates alone let in 16 MiB at once and 8 MiB a second, each held as a buffer and a string (+71 MiB here).
    expect(grew).toBeLessThan(DEFAULT_LIMITS.maxBacklogBytes / 2 ** 20 + 32);
    expect(times[99]).toBeLessThan(200);
    // The responder signs: the FSM moves on, the held transfer is answered and every ping after it.
    R.request('channels.update_ack', { signed_tx: R.sign(ack) });
    // The pings the session held come first, then the sign request, then the rest read later.
    const pongs = (): number => I.received.filter((m) => m.id === 7).length;
    while (pongs() < count) await I.next(undefined, 10_000);
    expect(I.received.filter((m) => m.method === 'channels.sign.update')).toHaveLength(2);
    expect(I.closed).toBe(false);
    for (const x of [I2, R2]) x.ws.terminate();
  } finally {
    await closeChannel(c);
  }
}, 60_000);
