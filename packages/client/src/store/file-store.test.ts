import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, Encoder, ExtensionCodec } from '@msgpack/msgpack';
import { generateKeyPair } from '@ch/codec';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Channel } from '../channel.js';
import { ChannelError } from '../errors.js';
import { secretKeySigner } from '../signer.js';
import { decodeRecord, encodeRecord, FileStore } from './file-store.js';
import { CHANNEL, sampleRecord as record } from './sample-record.test-helper.js';
import { MemoryStore, type ChannelRecord, type ChannelStore, type RecordLock } from './store.js';

/** A record's bytes as FileStore writes them, encoded whole, whatever its shape: to plant corrupted ones. */
const codec = new ExtensionCodec();
codec.register({ type: 1, encode: (v: unknown) => (typeof v === 'bigint' ? new TextEncoder().encode(v.toString()) : null), decode: (d: Uint8Array) => BigInt(new TextDecoder().decode(d)) });
const whole = new Encoder({ extensionCodec: codec, ignoreUndefined: true });
const encodeWhole = (record: unknown) => whole.encode({ format: 1, record });

describe('FileStore', () => {
  let dir: string;
  const locks: RecordLock[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ch-client-store-'));
  });
  afterEach(async () => {
    await Promise.all(locks.splice(0).map((l) => l.release()));
    rmSync(dir, { recursive: true, force: true });
  });
  /** A store that holds the lock of CHANNEL's initiator record, as a channel's does. */
  const locked = async (directory = dir) => {
    const store = new FileStore(directory);
    locks.push(await store.lock(CHANNEL, 'initiator'));
    return store;
  };

  test('a record survives a reload, bigints beyond 64 bits included', async () => {
    await (await locked()).save(record(2n ** 60n, true));
    const loaded = await new FileStore(dir).load(CHANNEL);
    expect(loaded).toEqual(record(2n ** 60n, true));
  });

  test('an unknown channel loads as undefined', async () => {
    expect(await new FileStore(dir).load('ch_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn')).toBeUndefined();
  });

  test('saves replace the file atomically and leave no temporary files', async () => {
    const store = await locked();
    await Promise.all(Array.from({ length: 50 }, (_, n) => store.save(record(BigInt(n)))));
    expect(readdirSync(dir)).toEqual([`${CHANNEL}.initiator.lock`, `${CHANNEL}.initiator.msgpack`]);
    // Whichever save renamed last, the file is one whole record.
    const loaded = decodeRecord(readFileSync(join(dir, `${CHANNEL}.initiator.msgpack`)), CHANNEL);
    expect(loaded.state.round).toBeLessThan(50n);
  });

  test('a torn or foreign file is refused, not misread', async () => {
    const bytes = encodeRecord(record(5n));
    writeFileSync(join(dir, `${CHANNEL}.initiator.msgpack`), bytes.subarray(0, bytes.length - 9));
    await expect(new FileStore(dir).load(CHANNEL)).rejects.toMatchObject({ kind: 'store', message: expect.stringContaining('do not decode') });
    writeFileSync(join(dir, `${CHANNEL}.initiator.msgpack`), encodeWhole({ ...record(5n), state: undefined }));
    await expect(new FileStore(dir).load(CHANNEL)).rejects.toMatchObject({ kind: 'store' });
  });

  test('the directory is made when missing, again if it is removed between saves', async () => {
    const store = await locked(join(dir, 'a', 'b'));
    await store.save(record(1n));
    rmSync(join(dir, 'a'), { recursive: true });
    // The lock file went with it, but this instance still holds the record.
    await store.save(record(2n));
    expect((await store.load(CHANNEL))?.state.round).toBe(2n);
  });

  test('a channel id that is not one is refused', async () => {
    await expect(new FileStore(dir).save({ ...record(1n), channelId: 'ch_../../etc' })).rejects.toMatchObject({ kind: 'store' });
  });
});

/** What a record would be with `change` made to it: fields replaced (`undefined` removes one). */
type Corrupt = (r: ChannelRecord) => Record<string, unknown>;
const HEX = 'bb'.repeat(32);
const OTHER_CHANNEL = 'ch_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn';
const CORRUPTED: [field: string, corrupt: Corrupt][] = [
  ['channelId is ch_2J29', (r) => ({ ...r, channelId: OTHER_CHANNEL })],
  ['channelId is not a valid ch_', (r) => ({ ...r, channelId: `${CHANNEL.slice(0, -1)}8` })],
  ['role', (r) => ({ ...r, role: 'observer' })],
  ['networkId', (r) => ({ ...r, networkId: 5 })],
  ['networkId', (r) => ({ ...r, networkId: '' })],
  ['terms is missing', (r) => ({ ...r, terms: undefined })],
  ['terms.initiatorId', (r) => ({ ...r, terms: { ...r.terms, initiatorId: 'ak_x' } })],
  ['terms.responderId', (r) => ({ ...r, terms: { ...r.terms, responderId: CHANNEL } })],
  ['terms.initiatorAmount', (r) => ({ ...r, terms: { ...r.terms, initiatorAmount: 7 } })],
  ['terms.pushAmount', (r) => ({ ...r, terms: { ...r.terms, pushAmount: undefined } })],
  ['terms.channelReserve', (r) => ({ ...r, terms: { ...r.terms, channelReserve: -1n } })],
  ['terms.lockPeriod', (r) => ({ ...r, terms: { ...r.terms, lockPeriod: '10' } })],
  ['fsmId', (r) => ({ ...r, fsmId: 5 })],
  ['fsmId', (r) => ({ ...r, fsmId: '' })],
  ['state is missing', (r) => ({ ...r, state: undefined })],
  ['state.round', (r) => ({ ...r, state: { ...r.state, round: -1n } })],
  ['state.tx', (r) => ({ ...r, state: { ...r.state, tx: 'tx_+JALAfhC' } })],
  ['state.tx', (r) => ({ ...r, state: { ...r.state, tx: 5 } })],
  ['state.balances is not an array', (r) => ({ ...r, state: { ...r.state, balances: {} } })],
  ["state.balances[0]'s key", (r) => ({ ...r, state: { ...r.state, balances: [[5, 'x'], null] } })],
  ['state.balances[1] is not a [key, balance] pair', (r) => ({ ...r, state: { ...r.state, balances: [[HEX, 1n], null] } })],
  ["state.balances[0]'s key", (r) => ({ ...r, state: { ...r.state, balances: [[HEX.toUpperCase(), 1n]] } })],
  ["state.balances[1]'s key is there twice", (r) => ({ ...r, state: { ...r.state, balances: [[HEX, 1n], [HEX, 2n]] } })],
  ["state.balances[0]'s balance", (r) => ({ ...r, state: { ...r.state, balances: [[HEX, -1n]] } })],
  ['pending.round', (r) => ({ ...r, pending: { round: 'x', tx: 5, balances: [] } })],
  ['pending.tx', (r) => ({ ...r, pending: { ...r.state, round: r.state.round + 1n, tx: 5 } })],
  ['pending.round is not past state.round', (r) => ({ ...r, pending: r.state })],
  ['pending is missing', (r) => ({ ...r, pending: 'x' })],
];

describe('a loaded record is checked whole', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ch-client-corrupt-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes the corrupted record where FileStore looks for CHANNEL's. */
  function plant(corrupt: Corrupt): FileStore {
    writeFileSync(join(dir, `${CHANNEL}.initiator.msgpack`), encodeWhole(corrupt(record(5n, true))));
    return new FileStore(dir);
  }

  test.each(CORRUPTED)('%s: FileStore.load rejects with a store error naming it', async (field, corrupt) => {
    const error = await plant(corrupt).load(CHANNEL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: 'store', message: expect.stringContaining(field) });
  });

  test.each(CORRUPTED)('%s: Channel.reconnect from it rejects with a store error', async (field, corrupt) => {
    // The record is refused before any connection: the url is never dialled.
    const reconnecting = Channel.reconnect({ url: 'ws://127.0.0.1:9', channelId: CHANNEL, store: plant(corrupt), signer: secretKeySigner(generateKeyPair().secretKey) });
    const error = await reconnecting.then((c) => (c.disconnect(), undefined)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: 'store', message: expect.stringContaining(field) });
  });

  test.each(CORRUPTED)('%s: a store of the user\'s own that returns it is refused the same way', async (field, corrupt) => {
    // Any ChannelStore may hand back anything: the channel checks the record itself.
    const store: ChannelStore = { load: async () => corrupt(record(5n, true)) as unknown as ChannelRecord, save: async () => undefined };
    const error = await Channel.reconnect({ url: 'ws://127.0.0.1:9', channelId: CHANNEL, store, signer: secretKeySigner(generateKeyPair().secretKey) })
      .then((c) => (c.disconnect(), undefined))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: 'store', message: expect.stringContaining(field) });
  });
});

describe('MemoryStore', () => {
  test('keeps a record per role, and locks each for one instance at a time', async () => {
    const store = new MemoryStore();
    await store.save(record(3n));
    await store.save({ ...record(4n, false, 'responder') });
    expect((await store.load(CHANNEL, 'responder'))?.state.round).toBe(4n);
    await expect(store.load(CHANNEL)).rejects.toMatchObject({ kind: 'store', code: 'ambiguous' });
    const lock = await store.lock(CHANNEL, 'initiator');
    await expect(store.lock(CHANNEL, 'initiator')).rejects.toMatchObject({ kind: 'store', code: 'locked' });
    await (await store.lock(CHANNEL, 'responder')).release();
    await lock.release();
    await (await store.lock(CHANNEL, 'initiator')).release();
  });

  test('what is stored cannot be changed, by the saver or a loader', async () => {
    const store = new MemoryStore();
    const r = record(3n, true);
    await store.save(r);
    expect(() => {
      (r.state.balances as unknown as unknown[]).length = 0;
    }).toThrow(TypeError);
    const loaded = (await store.load(CHANNEL))!;
    expect(() => {
      (loaded.pending!.balances[0] as unknown as unknown[])[1] = 0n;
    }).toThrow(TypeError);
    expect(() => {
      (loaded.terms as { pushAmount: bigint }).pushAmount = 0n;
    }).toThrow(TypeError);
    expect(await store.load(CHANNEL)).toEqual(record(3n, true));
  });
});

describe('the record encoding', () => {
  test('is byte for byte the whole record encoded, save after save, whatever changes', () => {
    const base = record(5n, true);
    const changed: ChannelRecord[] = [
      base,
      record(5n),
      record(6n, true),
      { ...record(6n, true), fsmId: undefined },
      { ...record(6n, true), fsmId: 'ba_Zm9yZWlnbiBmc20gaWQgb2YgdGhlIG5vZGU=' as ChannelRecord['fsmId'] },
      { ...base, networkId: 'other_net' },
      { ...base, terms: { ...base.terms, pushAmount: 2n ** 80n } },
      { ...base, role: 'responder' },
      // The same tx with other balances (a tampered state) is encoded as given, not as cached.
      { ...base, state: { ...base.state, balances: [[base.state.balances[0]![0], 1n], base.state.balances[1]!] } },
      base,
    ];
    for (const r of changed) expect(Buffer.from(encodeRecord(r))).toEqual(Buffer.from(encodeWhole(r)));
  });

  test('a record changed in place after its save is encoded as it is now', () => {
    const r = record(5n, true);
    const terms = { ...r.terms };
    const balances = r.state.balances.map(([k, v]) => [k, v]) as [string, bigint][];
    const mutable = { ...r, terms, state: { ...r.state, balances } };
    encodeRecord(mutable);
    terms.pushAmount = 7n;
    balances[0]![1] = 3n;
    expect(decode(encodeRecord(mutable), { extensionCodec: codec })).toEqual({ format: 1, record: mutable });
  });
});
