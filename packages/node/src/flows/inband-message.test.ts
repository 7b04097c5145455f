/**
 * In-band messages (`channels.message`) over real WebSockets: the largest info the node passes on,
 * every byte of it escaped in JSON, reaches the peer's client in one frame within the frame limit;
 * one byte more is refused as the real node refuses it (-32000 Invalid request) and never sent.
 */
import { afterEach, expect, test } from 'vitest';
import { DEFAULT_MAX_FRAME_BYTES, INBAND_ENVELOPE_BYTES, MAX_INBAND_MSG_BYTES } from '../limits.js';
import type { Json } from '../test-support/client.js';
import { closeChannel, data, openChannel, type OpenChannel } from '../test-support/channel.js';

let channel: OpenChannel | undefined;
afterEach(async () => {
  await closeChannel(channel);
  channel = undefined;
});

test('the largest in-band message fits the receiving client; a larger one is refused with -32000', async () => {
  channel = await openChannel('current');
  const { initiator: I, responder: R, r } = channel;
  const frames: number[] = [];
  R.ws.on('message', (raw: Buffer) => frames.push(raw.length));

  // A control character is six bytes in JSON (\u0001): the worst case for the notification's size.
  const largest = '\u0001'.repeat(MAX_INBAND_MSG_BYTES);
  const sent = await I.nextReply(I.request('channels.message', { to: r.publicKey, info: largest }));
  expect(sent.result).toBe('ok');
  const received = await R.nextMethod('channels.message');
  expect(((data(received).message as Json).info as string).length).toBe(MAX_INBAND_MSG_BYTES);
  const frame = frames.at(-1)!;
  expect(frame).toBeLessThanOrEqual(JSON.stringify(largest).length + INBAND_ENVELOPE_BYTES);
  expect(frame).toBeLessThanOrEqual(DEFAULT_MAX_FRAME_BYTES);

  // Bytes, not characters, count: 32,501 two-byte characters are 65,002 bytes.
  for (const info of ['x'.repeat(MAX_INBAND_MSG_BYTES + 1), 'é'.repeat(MAX_INBAND_MSG_BYTES / 2 + 1)]) {
    const refused = await I.nextReply(I.request('channels.message', { to: r.publicKey, info }));
    expect(refused.error).toMatchObject({ code: -32000, message: 'Invalid request' });
  }
  // Nothing of the refused ones reached the peer: the next message it gets is the small one after them.
  expect((await I.nextReply(I.request('channels.message', { to: r.publicKey, info: 'after' }))).result).toBe('ok');
  expect((data(await R.nextMethod('channels.message')).message as Json).info).toBe('after');
});
