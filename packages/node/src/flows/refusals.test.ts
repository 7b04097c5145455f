/**
 * Malformed and out-of-place requests of the flows this node added, over a real WebSocket: each
 * gets the node's JSON-RPC error (or its "ok"), nothing moves, and the channel still deposits,
 * withdraws and transfers afterwards. Batches get the node's batched answers.
 */
import { afterEach, expect, test } from 'vitest';
import type { Json, TestClient } from '../test-support/client.js';
import { closeChannel, data, openChannel, transfer, type OpenChannel } from '../test-support/channel.js';

let channel: OpenChannel | undefined;
afterEach(async () => {
  await closeChannel(channel);
  channel = undefined;
});

/** The error code and data codes of the reply to a request, or "ok". */
async function answer(client: TestClient, method: string, params: Json): Promise<string> {
  const reply = await client.nextReply(client.request(method, params));
  if (reply.result !== undefined) return String(reply.result);
  const error = reply.error as Json;
  return [error.code, ...((error.data as Json[] | undefined) ?? []).map((d) => d.code)].join(' ');
}

async function balances(c: OpenChannel): Promise<number[]> {
  const reply = await c.initiator.nextReply(c.initiator.request('channels.get.balances', { accounts: [c.i.publicKey, c.r.publicKey] }));
  return (reply.result as Json[]).map((b) => Number(b.balance));
}

/** A deposit (or withdrawal) by `client`, co-signed by `other`, up to both `channels.update`s. */
async function fund(client: TestClient, other: TestClient, kind: 'deposit' | 'withdraw', amount: number): Promise<void> {
  client.notify(`channels.${kind}`, { amount });
  client.request(`channels.${kind}_tx`, { signed_tx: client.sign(await client.nextMethod(`channels.sign.${kind}_tx`)) });
  other.request(`channels.${kind}_ack`, { signed_tx: other.sign(await other.nextMethod(`channels.sign.${kind}_ack`)) });
  await client.nextMethod('channels.update');
  await other.nextMethod('channels.update');
}

test('deposit, withdraw and the solo requests refuse what the node refuses', async () => {
  channel = await openChannel('current');
  const { initiator: I, responder: R } = channel;
  const before = await balances(channel);
  const refusals: [string, Json, string][] = [
    ['channels.deposit', { amount: '2' }, '3 1008'],
    ['channels.deposit', { amount: -2 }, '3 1002'],
    ['channels.withdraw', { amount: 2, meta: 17 }, '3 1014'],
    ['channels.deposit', { amount: 2, fee: 'lots' }, '-32603'],
    // No clause for a zero amount, nor a fee below the protocol's minimum, nor more than the balance.
    ['channels.deposit', { amount: 0 }, '-32603'],
    ['channels.deposit', { amount: 2, fee: 1 }, '-32603'],
    ['channels.withdraw', { amount: 10 ** 15 }, '-32603'],
    ['channels.deposit', {}, '-32601'],
    ['channels.slash', {}, '-32603'],
    ['channels.settle', {}, '-32603'],
    ['channels.close_solo', { nonce: [] }, '-32603'],
    // The latest state is the create tx, which is on chain already.
    ['channels.snapshot_solo', {}, '2 1012'],
    ['channels.assume_minimum_depth', { tx_hash: 'th_broken' }, '-32603'],
    ['channels.assume_minimum_depth', { tx_hash: 'th_2ERU4LEe8Bn8x1iuw9vSh7iHys9t8zwt3Nq2oz5GQj9pAu9pur' }, '-32603'],
    ['channels.assume_minimum_depth', {}, '-32601'],
    // Signing replies with nothing asked for: a cast the FSM drops.
    ['channels.deposit_ack', { signed_tx: 'tx_broken' }, '3 1010'],
    ['channels.withdraw_tx', { error: 7 }, '3 1018'],
  ];
  for (const [method, params, expected] of refusals) expect([method, params, await answer(I, method, params)]).toEqual([method, params, expected]);
  expect(await balances(channel)).toEqual(before);

  await fund(I, R, 'deposit', 10);
  await fund(R, I, 'withdraw', 3);
  await transfer(I, R, channel.i, channel.r, 1);
  expect(await balances(channel)).toEqual([before[0]! + 10 - 1, before[1]! - 3 + 1]);
});

test('a solo close the chain refuses is a conflict the client alone hears of; the channel goes on', async () => {
  channel = await openChannel('current');
  const { initiator: I, responder: R } = channel;
  // A nonce the chain will not take.
  I.notify('channels.close_solo', { nonce: 1 });
  I.notify('channels.close_solo_sign', { signed_tx: I.sign(await I.nextMethod('channels.sign.close_solo_sign')) });
  expect(data(await I.nextMethod('channels.conflict'))).toMatchObject({ error_code: 5, error_msg: 'rejected on-chain', round: 1 });
  await transfer(R, I, channel.r, channel.i, 1);
});

test.each([
  ['current', 'rejected on-chain'],
  ['seed', 'unknown'],
] as const)('a deposit the chain refuses falls back on both sides (%s: code 5 is "%s")', async (profile, message) => {
  channel = await openChannel(profile);
  const { initiator: I, responder: R } = channel;
  const before = await balances(channel);
  // A nonce the chain will not take: the deposit is co-signed, then refused when posted.
  I.notify('channels.deposit', { amount: 5, nonce: 1 });
  I.request('channels.deposit_tx', { signed_tx: I.sign(await I.nextMethod('channels.sign.deposit_tx')) });
  R.request('channels.deposit_ack', { signed_tx: R.sign(await R.nextMethod('channels.sign.deposit_ack')) });
  for (const client of [I, R]) expect(data(await client.nextMethod('channels.conflict'))).toMatchObject({ error_code: 5, error_msg: message, round: 1 });
  expect(await balances(channel)).toEqual(before);
  await fund(R, I, 'deposit', 5);
});

test('batches: every call is handled in order, and the answers come in one frame', async () => {
  channel = await openChannel('current');
  const { initiator: I, i, r } = channel;
  const ping = (id: number) => ({ id, jsonrpc: '2.0', method: 'channels.system', params: { action: 'ping' } });

  I.send([ping(1), ping(2)] as unknown as Json);
  const pongs = await I.next((m) => Array.isArray(m));
  expect((pongs as unknown as Json[]).map((m) => [m.id, m.result])).toEqual([
    [1, { action: 'system', tag: 'pong' }],
    [2, { action: 'system', tag: 'pong' }],
  ]);

  // A call that only succeeds is answered "ok" when nothing else in the batch has an answer…
  const start = I.received.length;
  I.send([{ id: 3, jsonrpc: '2.0', method: 'channels.message', params: { to: r.publicKey, info: 'hi' } }] as unknown as Json);
  expect((await I.next((m) => m.id === 3)).result).toBe('ok');
  // …and goes unanswered when another call in it has one (sc_ws_api_jsonrpc process_incoming/2).
  I.send([
    { id: 4, jsonrpc: '2.0', method: 'channels.message', params: { to: r.publicKey, info: 'hi' } },
    { id: 5, jsonrpc: '2.0', method: 'channels.update.new', params: { from: i.publicKey, to: r.publicKey, amount: '1' } },
  ] as unknown as Json);
  const error = await I.next((m) => m.id === 5);
  expect((error.error as Json).code).toBe(3);
  // A batch with anything but calls in it is dropped whole, as is an empty one.
  I.send([ping(6), { jsonrpc: '2.0' }] as unknown as Json);
  I.send([] as unknown as Json);
  expect((await I.nextReply(I.request('channels.system', { action: 'ping' }))).result).toEqual({ action: 'system', tag: 'pong' });
  expect(I.received.slice(start).filter((m) => m.id === 4 || m.id === 6)).toEqual([]);
  await transfer(I, channel.responder, i, r, 1);
});
