/**
 * Caps on what one request may carry, over a real channel: a `meta` list beyond its entries or
 * bytes is answered 1014 "Invalid meta object", one at the caps is taken; a batch beyond
 * `maxBatchCalls` is answered -32000 as a whole, one at the cap call by call; an error reply whose
 * echo would outgrow a frame goes without it. The channel goes on after each.
 */
import { stringifyJson } from '@ch/rpc';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DEFAULT_MAX_FRAME_BYTES } from './limits.js';
import type { Json } from './test-support/client.js';
import { closeChannel, openChannel, type OpenChannel } from './test-support/channel.js';
import { DEFAULT_LIMITS, MAX_META_BYTES, MAX_META_ENTRIES, MAX_QUERY_IDS } from './ws/limits.js';

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

const pings = (n: number, from: number): Json[] => Array.from({ length: n }, (_, k) => ({ id: from + k, jsonrpc: '2.0', method: 'channels.system', params: { action: 'ping' } }));

test('a batch over maxBatchCalls is answered -32000 "Invalid request" as a whole, without its echo; one at the cap gets every answer', async () => {
  const { initiator: I } = c;
  const cap = DEFAULT_LIMITS.maxBatchCalls;
  I.ws.send(stringifyJson(pings(cap + 1, 1)));
  const refused = await I.next((m) => m.error !== undefined, 2000);
  expect(refused).toMatchObject({ id: null, error: { code: -32000, message: 'Invalid request', request: {} } });
  I.ws.send(stringifyJson(pings(cap, 1001)));
  const answers = (await I.next(Array.isArray as (m: Json) => boolean, 2000)) as unknown as Json[];
  expect(answers.map((a) => a.id)).toEqual(pings(cap, 1001).map((p) => p.id));
  expect(answers.every((a) => (a.result as Json).tag === 'pong')).toBe(true);
  // Nothing of the refused batch was served.
  expect(I.received.some((m) => m.id === 1)).toBe(false);
});

test('an error reply whose echo would outgrow a frame is sent without it', async () => {
  const { initiator: I } = c;
  const id = I.request('channels.system', { action: 'x', pad: 'y'.repeat(DEFAULT_MAX_FRAME_BYTES - 200) });
  const reply = await I.nextReply(id, 5000);
  expect(error(reply)).toEqual({ code: -32601, message: 'Method not found', request: {} });
  const small = I.request('channels.system', { action: 'x' });
  expect(error(await I.nextReply(small, 2000)).request).toMatchObject({ params: { action: 'x' } });
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

test('a balances or PoI query naming more than MAX_QUERY_IDS ids is answered -32000, no id past the cap checked; one at the cap is answered', async () => {
  const { initiator: I, i, r } = c;
  const over = Array<string>(MAX_QUERY_IDS + 1).fill(i.publicKey);
  const queries: [string, Json][] = [
    ['channels.get.balances', { accounts: over }],
    ['channels.get.poi', { accounts: over, contracts: [] }],
  ];
  for (const [method, params] of queries) {
    const id = I.request(method, params);
    expect(error(await I.nextReply(id, 2000))).toMatchObject({ code: -32000, message: 'Invalid request' });
  }
  const id = I.request('channels.get.balances', { accounts: [...Array<string>(MAX_QUERY_IDS - 1).fill(i.publicKey), r.publicKey] });
  expect(Array.isArray((await I.nextReply(id, 5000)).result)).toBe(true);
});
