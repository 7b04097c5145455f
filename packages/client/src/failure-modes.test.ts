/**
 * The failure modes of aepp-sdk-js's channel client that this one must not have, each played by a
 * scripted node: a second conflict surfacing as an unhandled error, a stray conflict settling the
 * next queued update, an error reply without `data` leaving a promise pending, a socket close
 * leaving promises unsettled, no client-side timeouts, and rounds as lossy numbers.
 */
import { applyUpdates, encode, generateKeyPair, initialState, signTx, Tag, type Encoded, type KeyPair, type OffChainState } from '@ch/codec';
import { afterEach, describe, expect, test } from 'vitest';
import { Channel } from './channel.js';
import type { ConflictEvent } from './channel-events.js';
import { ChannelErrorKind, ConflictError, RpcRequestError, TimeoutError, type ChannelError } from './errors.js';
import { secretKeySigner } from './signer.js';
import { MemoryStore } from './store/store.js';
import { openScripted, startScriptedNode, unsigned, type Json, type ScriptedConnection, type ScriptedNode, type ScriptedSession } from './test-support/scripted-node.js';
import { NETWORK_ID, SEED_TERMS } from './test-support/terms.js';

let session: ScriptedSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

function offChain(channelId: Encoded<'ch'>, round: bigint, state: OffChainState, signers: readonly KeyPair[]): Encoded<'tx'> {
  const tx = unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId, round, stateHash: encode(state.stateHash(), 'st') });
  return signers.reduce((t, k) => signTx(t, k.secretKey, NETWORK_ID), tx);
}

/** Serves the client's `update.new` up to its signature; returns the request and the client's signed tx. */
async function signOwnUpdate(conn: ScriptedConnection, channelId: Encoded<'ch'>, round: bigint, base: OffChainState, amount: bigint, i: KeyPair, r: KeyPair): Promise<Encoded<'tx'>> {
  const request = await conn.nextMethod('channels.update.new');
  conn.reply(request, 'ok');
  const updates = [{ op: 'OffChainTransfer' as const, from: i.publicKey, to: r.publicKey, amount }];
  const next = applyUpdates(base, updates, SEED_TERMS.channelReserve);
  conn.notify('channels.sign.update', { signed_tx: offChain(channelId, round, next, []), updates });
  const signed = await conn.nextMethod('channels.update');
  conn.reply(signed, 'ok');
  return (signed.params as Json).signed_tx as Encoded<'tx'>;
}

describe('conflicts', () => {
  test("the 2019 node's second conflict is a `stray` event, not an error, and settles nothing", async () => {
    session = await openScripted();
    const { conn, channel, opened, i, r } = session;
    const conflicts: ConflictEvent[] = [];
    const errors: ChannelError[] = [];
    channel.on('conflict', (c) => conflicts.push(c));
    channel.on('error', (e) => errors.push(e));
    const first = channel.transfer(i.publicKey, r.publicKey, 1n);
    await signOwnUpdate(conn, opened.channelId, 2n, opened.state, 1n, i, r);
    const conflict = { channel_id: opened.channelId, error_code: 2, error_msg: 'conflict' as const, round: 1n };
    conn.notify('channels.conflict', conflict);
    conn.notify('channels.conflict', conflict);
    await expect(first).rejects.toEqual(new ConflictError(1n, 2, 'conflict'));
    // Nothing else is pending; the next transfer goes through normally.
    const second = channel.transfer(i.publicKey, r.publicKey, 1n);
    const signed = await signOwnUpdate(conn, opened.channelId, 2n, opened.state, 1n, i, r);
    conn.notify('channels.update', { state: signTx(signed, r.secretKey, NETWORK_ID) });
    expect(await second).toBe(2n);
    expect(conflicts.map((c) => c.stray)).toEqual([false, true]);
    expect(errors).toEqual([]);
    expect(channel.status).toBe('open');
  });

  test('a stray conflict between the next update\'s "ok" and its sign request does not settle it', async () => {
    session = await openScripted();
    const { conn, channel, opened, i, r } = session;
    const first = channel.transfer(i.publicKey, r.publicKey, 1n);
    const second = channel.transfer(i.publicKey, r.publicKey, 2n);
    await signOwnUpdate(conn, opened.channelId, 2n, opened.state, 1n, i, r);
    const conflict = { channel_id: opened.channelId, error_code: 2, error_msg: 'conflict' as const, round: 1n };
    conn.notify('channels.conflict', conflict);
    await expect(first).rejects.toBeInstanceOf(ConflictError);
    // The queued transfer starts; the straggler lands after the node took it, before its sign request.
    const request = await conn.nextMethod('channels.update.new');
    expect((request.params as Json).amount).toBe(2);
    conn.reply(request, 'ok');
    conn.notify('channels.conflict', conflict);
    const updates = [{ op: 'OffChainTransfer' as const, from: i.publicKey, to: r.publicKey, amount: 2n }];
    conn.notify('channels.sign.update', { signed_tx: offChain(opened.channelId, 2n, applyUpdates(opened.state, updates, 2n), []), updates });
    const signed = await conn.nextMethod('channels.update');
    conn.reply(signed, 'ok');
    conn.notify('channels.update', { state: signTx((signed.params as Json).signed_tx as Encoded<'tx'>, r.secretKey, NETWORK_ID) });
    expect(await second).toBe(2n);
    expect(channel.balanceOf(r.publicKey)).toBe(SEED_TERMS.responderAmount + SEED_TERMS.pushAmount + 2n);
  });
});

describe('events', () => {
  test('errors nobody listens to, and listeners that throw, crash nothing', async () => {
    session = await openScripted();
    const { conn, channel, opened, i, r } = session;
    // No `error` listener yet: the garbage is reported to nobody, and nothing throws. The message
    // after it, handled in order, says when it has been.
    conn.send('{"not":"a message"}');
    conn.send({ jsonrpc: '2.0', method: 'channels.error', params: { channel_id: opened.channelId, data: { message: 'bad_signature' } }, version: 1 });
    const handled = new Promise((resolve) => channel.once('message', resolve));
    conn.notify('channels.message', { message: { channel_id: opened.channelId, from: r.publicKey, to: i.publicKey, info: 'after the garbage' } });
    await handled;
    const errors: ChannelError[] = [];
    channel.on('state', () => {
      throw new Error('a buggy listener');
    });
    channel.on('error', (e) => errors.push(e));
    channel.on('error', () => {
      throw new Error('a buggy error listener');
    });
    const transfer = channel.transfer(i.publicKey, r.publicKey, 1n);
    const signed = await signOwnUpdate(conn, opened.channelId, 2n, opened.state, 1n, i, r);
    conn.notify('channels.update', { state: signTx(signed, r.secretKey, NETWORK_ID) });
    expect(await transfer).toBe(2n);
    // The buggy `state` listener is reported; the buggy error listener is contained.
    expect(errors.map((e) => e.kind)).toEqual([ChannelErrorKind.LISTENER]);
  });

  test('a "co-signed" state the node reports with one signature is not adopted', async () => {
    session = await openScripted();
    const { conn, channel, opened, r } = session;
    const errors: ChannelError[] = [];
    channel.on('error', (e) => errors.push(e));
    const next = applyUpdates(opened.state, [{ op: 'OffChainTransfer', from: session.i.publicKey, to: r.publicKey, amount: 100n }], 2n);
    conn.notify('channels.update', { state: offChain(opened.channelId, 2n, next, [r]) });
    await new Promise<void>((resolve) => channel.once('error', () => resolve()));
    expect(channel.round).toBe(1n);
    expect(errors.map((e) => e.message)).toEqual(['the node reported a state that is not signed by both participants']);
  });
});

describe('replies', () => {
  test('an error reply without `data` rejects with the RPC error', async () => {
    session = await openScripted();
    const { conn, channel, i, r } = session;
    const transfer = channel.transfer(i.publicKey, r.publicKey, 1n);
    const balances = channel.balances();
    const update = await conn.nextMethod('channels.update.new');
    const query = await conn.nextMethod('channels.get.balances');
    for (const request of [update, query]) {
      conn.send({ channel_id: conn.channelId, error: { code: -32601, message: 'Method not found' }, id: request.id!, jsonrpc: '2.0', version: 1 });
    }
    for (const pending of [transfer, balances]) {
      const error = await pending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RpcRequestError);
      expect(error).toMatchObject({ code: -32601, data: undefined });
    }
  });

  test('an error reply with `id: null` still finds its request through the echoed call', async () => {
    session = await openScripted();
    const { conn, channel } = session;
    const balances = channel.balances();
    const query = await conn.nextMethod('channels.get.balances');
    conn.send({ channel_id: conn.channelId, error: { code: 3, message: 'Rejected', data: [{ code: 1005, message: 'Broken encoding: account pubkey' }], request: query }, id: null, jsonrpc: '2.0', version: 1 });
    const error = (await balances.catch((e: unknown) => e)) as RpcRequestError;
    expect(error.hasDataCode(1005)).toBe(true);
  });

  test('a socket closed by the node, reconnecting off: every pending promise settles at once, with a typed error', async () => {
    // With reconnecting on (the default) operations wait for the channel to be back: auto-reconnect.test.ts.
    session = await openScripted({ timeouts: { request: 60_000, update: 60_000 }, reconnect: false });
    const { conn, channel, i, r } = session;
    const pending = [channel.transfer(i.publicKey, r.publicKey, 1n), channel.balances(), channel.ping()];
    await conn.nextMethod('channels.get.balances');
    const started = Date.now();
    conn.close();
    const errors = await Promise.all(pending.map((p) => p.then(() => undefined, (e: ChannelError) => e)));
    expect(errors.map((e) => e?.kind)).toEqual([ChannelErrorKind.DISCONNECTED, ChannelErrorKind.DISCONNECTED, ChannelErrorKind.DISCONNECTED]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(channel.status).toBe('disconnected');
    await expect(channel.transfer(i.publicKey, r.publicKey, 1n)).rejects.toMatchObject({ kind: ChannelErrorKind.NOT_ALLOWED });
  });

  test('a node that never answers: every request and update times out as configured', async () => {
    session = await openScripted({ timeouts: { request: 200, update: 300 } });
    const { channel, i, r } = session;
    const started = Date.now();
    const [balances, transfer] = await Promise.all([channel.balances().catch((e: unknown) => e), channel.transfer(i.publicKey, r.publicKey, 1n).catch((e: unknown) => e)]);
    expect(balances).toBeInstanceOf(TimeoutError);
    expect(transfer).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a timed-out update makes way for the next one in the queue', async () => {
    session = await openScripted({ timeouts: { update: 300 } });
    const { conn, channel, i, r } = session;
    const first = channel.transfer(i.publicKey, r.publicKey, 1n).catch((e: unknown) => e);
    const second = channel.transfer(i.publicKey, r.publicKey, 2n).catch((e: unknown) => e);
    await conn.nextMethod('channels.update.new');
    expect(await first).toBeInstanceOf(TimeoutError);
    // The queue moved on by itself: the node never said a word, yet the second update was asked for.
    const next = await conn.nextMethod('channels.update.new', 1000);
    expect((next.params as Json).amount).toBe(2);
    await second;
  });
});

describe('rounds and ids are exact integers', () => {
  let node: ScriptedNode | undefined;
  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });

  test('a channel past round 2^53 reestablishes and advances exactly', async () => {
    const i = generateKeyPair();
    const r = generateKeyPair();
    const terms = { initiatorId: i.publicKey, responderId: r.publicKey, ...SEED_TERMS };
    const state = initialState({ initiator: i.publicKey, responder: r.publicKey, ...SEED_TERMS });
    const channelId = encode(new Uint8Array(32).fill(3), 'ch');
    const round = 2n ** 53n + 1n;
    const coSigned = offChain(channelId, round, state, [i, r]);
    const store = new MemoryStore();
    await store.save({ channelId, role: 'initiator', networkId: NETWORK_ID, terms, state: { round, tx: coSigned, balances: [...state.balances] } });

    const ids: unknown[] = [];
    let query: URLSearchParams | undefined;
    node = await startScriptedNode(async (conn) => {
      query = conn.query;
      conn.channelId = channelId;
      conn.notify('channels.info', { event: 'channel_reestablished' });
      conn.notify('channels.info', { event: 'open' });
      conn.notify('channels.update', { state: coSigned });
      const updates = [{ op: 'OffChainTransfer' as const, from: r.publicKey, to: i.publicKey, amount: 5n }];
      const next = applyUpdates(state, updates, SEED_TERMS.channelReserve);
      conn.notify('channels.sign.update_ack', { signed_tx: offChain(channelId, round + 1n, next, [r]), updates });
      const ack = await conn.nextMethod('channels.update_ack');
      ids.push(ack.id);
      conn.reply(ack, 'ok');
      conn.notify('channels.update', { state: (ack.params as Json).signed_tx as Encoded<'tx'> });
      const balances = await conn.nextMethod('channels.get.balances');
      ids.push(balances.id);
      conn.reply(balances, [{ account: i.publicKey, balance: 2n ** 64n + 1n }]);
    });
    const channel = await Channel.reestablish({ url: node.url, channelId, store, signer: secretKeySigner(i.secretKey), timeouts: { open: 5000 } });
    expect(query?.get('existing_channel_id')).toBe(channelId);
    expect(query?.get('offchain_tx')).toBe(coSigned);
    await new Promise<void>((resolve) => channel.on('state', () => resolve()));
    expect(channel.round).toBe(2n ** 53n + 2n);
    expect((await store.load(channelId))?.state.round).toBe(2n ** 53n + 2n);
    expect(await channel.balances([i.publicKey])).toEqual(new Map([[i.publicKey, 2n ** 64n + 1n]]));
    // Request ids start at -2^59, beyond a double's exact range, and come back exact.
    expect(ids).toEqual([-(2n ** 59n), -(2n ** 59n) + 1n]);
    channel.disconnect();
  });
});
