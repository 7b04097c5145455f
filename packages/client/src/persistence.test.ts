/**
 * The store holds every co-signed state before this client acknowledges it: before it sends the
 * signature that completes a state, and before it acts on a state the node reports co-signed. A
 * store that cannot save makes the client refuse to sign.
 */
import { applyUpdates, encode, signTx, Tag, type Encoded } from '@ch/codec';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { Channel } from './channel.js';
import { AbortCode, ChannelError, ChannelErrorKind } from './errors.js';
import { secretKeySigner } from './signer.js';
import { FileStore } from './store/file-store.js';
import { MemoryStore, type ChannelRecord } from './store/store.js';
import { openPair, type Pair } from './test-support/pair.js';
import { openScripted, unsigned, type Json, type ScriptedSession } from './test-support/scripted-node.js';
import { NETWORK_ID, SEED_TERMS } from './test-support/terms.js';

let session: ScriptedSession | undefined;
let pair: Pair | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await session?.close();
  await pair?.close();
  session = pair = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

describe('the order of saving and signing', () => {
  test("the peer's update: recorded as pending before the ack goes out, as the state once confirmed", async () => {
    const store = new MemoryStore();
    session = await openScripted({ store });
    const { conn, channel, opened, i, r } = session;
    expect((await store.load(opened.channelId))?.state.round).toBe(1n);
    const updates = [{ op: 'OffChainTransfer' as const, from: r.publicKey, to: i.publicKey, amount: 9n }];
    const next = applyUpdates(opened.state, updates, SEED_TERMS.channelReserve);
    const proposal = signTx(unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId: opened.channelId, round: 2n, stateHash: encode(next.stateHash(), 'st') }), r.secretKey, NETWORK_ID);
    conn.notify('channels.sign.update_ack', { signed_tx: proposal, updates });
    const ack = await conn.nextMethod('channels.update_ack');
    const coSigned = (ack.params as Json).signed_tx as Encoded<'tx'>;
    // The ack is on the wire: the record already has it.
    const before = await store.load(opened.channelId);
    expect(before?.pending).toEqual({ round: 2n, tx: coSigned, balances: [...next.balances] });
    expect(before?.state.round).toBe(1n);
    conn.reply(ack, 'ok');
    const adopted = new Promise((resolve) => channel.once('state', resolve));
    conn.notify('channels.update', { state: coSigned });
    await adopted;
    const after = await store.load(opened.channelId);
    expect(after?.state).toEqual({ round: 2n, tx: coSigned, balances: [...next.balances] });
    expect(after?.pending).toBeUndefined();
  });

  test('our own update: the proposal we signed is recorded before our signature goes out', async () => {
    const store = new MemoryStore();
    session = await openScripted({ store });
    const { conn, channel, opened, i, r } = session;
    const transfer = channel.transfer(i.publicKey, r.publicKey, 4n);
    const request = await conn.nextMethod('channels.update.new');
    conn.reply(request, 'ok');
    const updates = [{ op: 'OffChainTransfer' as const, from: i.publicKey, to: r.publicKey, amount: 4n }];
    const next = applyUpdates(opened.state, updates, SEED_TERMS.channelReserve);
    conn.notify('channels.sign.update', { signed_tx: unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId: opened.channelId, round: 2n, stateHash: encode(next.stateHash(), 'st') }), updates });
    const signed = await conn.nextMethod('channels.update');
    const ours = (signed.params as Json).signed_tx as Encoded<'tx'>;
    expect((await store.load(opened.channelId))?.pending?.tx).toBe(ours);
    conn.reply(signed, 'ok');
    conn.notify('channels.update', { state: signTx(ours, r.secretKey, NETWORK_ID) });
    expect(await transfer).toBe(2n);
    expect((await store.load(opened.channelId))?.state.round).toBe(2n);
  });

  test('a store that cannot save: the client refuses to sign rather than sign unrecorded', async () => {
    const failing = new MemoryStore();
    let fail = false;
    const store = {
      load: (id: Encoded<'ch'>) => failing.load(id),
      save: (record: ChannelRecord) => (fail ? Promise.reject(new ChannelError(ChannelErrorKind.STORE, 'disk full')) : failing.save(record)),
    };
    session = await openScripted({ store });
    const { conn, channel, opened, i, r } = session;
    const errors: ChannelError[] = [];
    channel.on('error', (e) => errors.push(e));
    fail = true;
    const updates = [{ op: 'OffChainTransfer' as const, from: r.publicKey, to: i.publicKey, amount: 1n }];
    const next = applyUpdates(opened.state, updates, SEED_TERMS.channelReserve);
    const proposal = signTx(unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId: opened.channelId, round: 2n, stateHash: encode(next.stateHash(), 'st') }), r.secretKey, NETWORK_ID);
    conn.notify('channels.sign.update_ack', { signed_tx: proposal, updates });
    const ack = await conn.nextMethod('channels.update_ack');
    expect(ack.params).toEqual({ error: AbortCode.STORE_FAILED });
    expect(errors.map((e) => e.kind)).toEqual([ChannelErrorKind.STORE]);
  });
});

describe('FileStore with the local node', () => {
  test('every co-signed round is on disk when it is reported; a fresh store reads the last one and reestablishes from it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ch-client-'));
    dirs.push(dir);
    const responderStore = new MemoryStore();
    pair = await openPair('current', { initiator: { store: new FileStore(dir), keepRunning: false }, responder: { store: responderStore, keepRunning: false } });
    const { initiator: I, responder: R, i, r } = pair;
    const reads: Promise<bigint | undefined>[] = [];
    I.on('state', (state) => reads.push(new FileStore(dir).load(I.channelId!).then((record) => (record?.state.tx === state.tx ? record.state.round : undefined))));
    for (let n = 0; n < 5; n++) await (n % 2 ? R.transfer(r.publicKey, i.publicKey, 2n) : I.transfer(i.publicKey, r.publicKey, 3n));
    expect(await Promise.all(reads)).toEqual([2n, 3n, 4n, 5n, 6n]);
    const record = await new FileStore(dir).load(I.channelId!);
    expect(record?.state.balances).toEqual([...I.state!.state.balances]);

    await I.leave();
    const channelId = I.channelId!;
    const [back, peer] = await Promise.all([
      Channel.reestablish({ url: pair.node.url, channelId, store: new FileStore(dir), signer: secretKeySigner(i.secretKey), port: 13179 }),
      Channel.reestablish({ url: pair.node.url, channelId, store: responderStore, signer: secretKeySigner(r.secretKey), port: 13179 }),
    ]);
    try {
      expect([back.round, peer.round]).toEqual([6n, 6n]);
      expect(await back.transfer(i.publicKey, r.publicKey, 1n)).toBe(7n);
      expect((await new FileStore(dir).load(channelId))?.state.round).toBe(7n);
    } finally {
      back.disconnect();
      peer.disconnect();
    }
  });
});
