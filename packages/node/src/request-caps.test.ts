/**
 * Caps on what one request may carry, over a real channel: a `meta` list beyond its entries or
 * bytes is answered 1014 "Invalid meta object", one at the caps is taken, and the channel goes on.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Json } from './test-support/client.js';
import { closeChannel, openChannel, type OpenChannel } from './test-support/channel.js';
import { MAX_META_BYTES, MAX_META_ENTRIES } from './ws/limits.js';

let c: OpenChannel;
beforeAll(async () => {
  c = await openChannel('current');
});
afterAll(() => closeChannel(c));

const error = (m: Json): Json => m.error as Json;
const INVALID_META = { code: 3, message: 'Rejected', data: [{ code: 1014, message: 'Invalid meta object' }] };

test.each([
  ['one entry too many', Array<string>(MAX_META_ENTRIES + 1).fill('m')],
  // 'é' is two bytes in UTF-8.
  ['one byte too many', ['x'.repeat(MAX_META_BYTES / 2 + 1), 'é'.repeat(MAX_META_BYTES / 4)]],
])('a meta list with %s is answered 1014 on an update, a deposit and a withdraw', async (_kind, meta) => {
  const { initiator: I, i, r } = c;
  for (const [method, params] of [
    ['channels.update.new', { from: i.publicKey, to: r.publicKey, amount: 1 }],
    ['channels.deposit', { amount: 1 }],
    ['channels.withdraw', { amount: 1 }],
  ] as const) {
    const id = I.request(method, { ...params, meta });
    expect(error(await I.nextReply(id, 2000))).toMatchObject(INVALID_META);
  }
});

test('a meta list at both caps is taken: the update is co-signed with it', async () => {
  const { initiator: I, responder: R, i, r } = c;
  const meta = Array.from({ length: MAX_META_ENTRIES }, (_, n) => String(n % 10).repeat(MAX_META_BYTES / MAX_META_ENTRIES));
  I.notify('channels.update.new', { from: i.publicKey, to: r.publicKey, amount: 1, meta });
  const sign = await I.nextMethod('channels.sign.update', 5000);
  expect(((sign.params as Json).data as Json).updates).toHaveLength(1 + MAX_META_ENTRIES);
  I.request('channels.update', { signed_tx: I.sign(sign) });
  R.request('channels.update_ack', { signed_tx: R.sign(await R.nextMethod('channels.sign.update_ack', 5000)) });
  await I.nextMethod('channels.update', 5000);
  await R.nextMethod('channels.update', 5000);
});
