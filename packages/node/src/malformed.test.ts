/**
 * Malformed input over a real WebSocket: each gets the node's answer (or its silence), and the
 * channel still works afterwards.
 */
import { buildTx, signTx, Tag, unpackTx, type Encoded } from '@ch/codec';
import { afterEach, expect, test } from 'vitest';
import type { ProfileName } from './profiles.js';
import type { Json } from './test-support/client.js';
import { closeChannel, data, NETWORK_ID, openChannel, transfer, type OpenChannel } from './test-support/channel.js';

let channel: OpenChannel | undefined;
afterEach(async () => {
  await closeChannel(channel);
  channel = undefined;
});

const error = (m: Json) => m.error as Json;

async function open(profile: ProfileName): Promise<OpenChannel> {
  channel = await openChannel(profile);
  return channel;
}

test('broken JSON and non-JSON-RPC text get no reply, as on the node', async () => {
  const { initiator: I } = await open('seed');
  const before = I.received.length;
  I.ws.send('{"jsonrpc": "2.0", "method": ');
  I.send({ method: 'channels.get.balances', params: {} });
  const ping = I.request('channels.system', { action: 'ping' });
  expect((await I.nextReply(ping)).result).toEqual({ action: 'system', tag: 'pong' });
  expect(I.received.length).toBe(before + 1);
});

test('wrong types, broken keys and unknown methods get the node’s error replies', async () => {
  const { initiator: I, i, r } = await open('seed');
  I.notify('channels.update.new', { from: i.publicKey, to: r.publicKey, amount: '1' });
  const nan = await I.next((m) => m.error !== undefined);
  expect(error(nan)).toMatchObject({ code: 3, message: 'Rejected', data: [{ code: 1008, message: 'Not a number' }] });
  expect(error(nan).request).toEqual({ jsonrpc: '2.0', method: 'channels.update.new', params: { from: i.publicKey, to: r.publicKey, amount: '1' } });
  expect(nan.id).toBeNull();

  const broken = I.request('channels.update.new', { from: 'ABCDEF', to: r.publicKey, amount: 1 });
  expect(error(await I.nextReply(broken)).data).toEqual([{ code: 1005, message: 'Broken encoding: account pubkey' }]);
  const meta = I.request('channels.update.new', { from: i.publicKey, to: r.publicKey, amount: 1, meta: 17 });
  expect(error(await I.nextReply(meta)).data).toEqual([{ code: 1014, message: 'Invalid meta object' }]);
  const poor = I.request('channels.update.new', { from: i.publicKey, to: r.publicKey, amount: 10 ** 16 });
  expect(error(await I.nextReply(poor)).data).toEqual([{ code: 1001, message: 'Insufficient balance' }]);
  const same = I.request('channels.update.new', { from: i.publicKey, to: i.publicKey, amount: 1 });
  expect(error(await I.nextReply(same)).data).toEqual([{ code: 1003, message: 'Invalid pubkeys' }]);
  const unknown = I.request('channels.no_such_method', {});
  expect(error(await I.nextReply(unknown))).toMatchObject({ code: -32601, message: 'Method not found' });
  const contract = I.request('channels.get.contract', { pubkey: 'ct_x' });
  expect(error(await I.nextReply(contract)).message).toMatch(/does not run contracts/);
  const badCode = I.request('channels.update', { error: 0 });
  expect(error(await I.nextReply(badCode)).data).toEqual([{ code: 1015, message: 'Invalid error code (expect 1...65535)' }]);

  await transfer(I, channel!.responder, i, r, 5);
});

test('a signature by the wrong key, or of the wrong round, fails the update as a validation error', async () => {
  const { initiator: I, responder: R, i, r } = await open('current');
  I.notify('channels.update.new', { from: i.publicKey, to: r.publicKey, amount: 1 });
  const sign = await I.nextMethod('channels.sign.update');
  const tx = data(sign).signed_tx as Encoded<'tx'>;
  I.notify('channels.update', { signed_tx: signTx(tx, r.secretKey, I.networkId) });
  expect(data(await I.nextMethod('channels.error'))).toEqual({ message: 'bad_signature' });
  expect(data(await I.nextMethod('channels.conflict'))).toMatchObject({ error_code: 1, error_msg: 'validation error', round: 1 });

  I.notify('channels.update.new', { from: i.publicKey, to: r.publicKey, amount: 1 });
  const again = unpackTx(data(await I.nextMethod('channels.sign.update')).signed_tx as Encoded<'tx'>, Tag.SignedTx);
  const inner = again.encodedTx;
  if (inner.tag !== Tag.ChannelOffChainTx || inner.version !== 2) throw new Error('expected an off-chain tx');
  const wrongRound = buildTx({ ...again, encodedTx: { ...inner, round: inner.round + 1n } });
  I.notify('channels.update', { signed_tx: signTx(wrongRound, i.secretKey, I.networkId) });
  expect(data(await I.nextMethod('channels.error'))).toEqual({ message: 'wrong_round' });
  expect(data(await I.nextMethod('channels.conflict'))).toMatchObject({ error_code: 1, round: 1 });

  // Outside a signing wait an abort is refused (HEAD), and the channel still works.
  const abort = I.request('channels.update', { error: 42 });
  expect(error(await I.nextReply(abort)).data).toEqual([{ code: 1018, message: 'Not allowed at current channel state' }]);
  await transfer(I, R, i, r, 1);
  const id = I.request('channels.get.balances', { accounts: [i.publicKey, r.publicKey] });
  expect((await I.nextReply(id)).result).toEqual([
    { account: i.publicKey, balance: 69999999999998 },
    { account: r.publicKey, balance: 40000000000002 },
  ]);
});

test('an open with an unknown participant or a negative amount is refused as the node refuses it', async () => {
  const { node, i, r } = await open('seed');
  const { TestClient } = await import('./test-support/client.js');
  const terms = { protocol: 'json-rpc', role: 'responder', initiator_id: i.publicKey, responder_id: r.publicKey, lock_period: '10', push_amount: '1', initiator_amount: '-1', responder_amount: '4', channel_reserve: '2', port: '1' };
  const low = await TestClient.connect(node.url, terms, r, NETWORK_ID);
  expect(error(await low.next())).toMatchObject({ code: 3, data: [{ code: 105, message: 'Value too low' }], request: {} });
  const stranger = await TestClient.connect(node.url, { ...terms, initiator_amount: '8', initiator_id: 'ak_11111111111111111111111111111115rHyByZ' }, r, NETWORK_ID);
  expect(error(await stranger.next())).toMatchObject({ code: 3, data: [{ code: 1011, message: 'Participant not found' }] });
});
