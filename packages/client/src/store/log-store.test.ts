/**
 * LogStore, Node's default: records keyed by channel and role, an exclusive lock per record, 0600
 * files in a 0700 directory, every record checked on load (200 corrupted ones refused with a typed
 * error, none adopted), a torn tail ignored, compaction, and no temporary files or stuck locks after
 * SIGKILLs of a process writing.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { encode as msgpack } from '@msgpack/msgpack';
import { generateKeyPair, keyPairFromSecret } from '@ch/codec';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { seededRandom } from '../../../../tools/seeded-random.js';
import { bundleForNode } from '../../../../tools/node-bundle.js';
import { Channel } from '../channel.js';
import { StoreError } from '../errors.js';
import { secretKeySigner } from '../signer.js';
import { until } from '../test-support/until.js';
import { encodeRecord, FileStore } from './file-store.js';
import { logEntry as entry } from './log-entry.test-helper.js';
import { LogStore } from './log-store.js';
import { CHANNEL, INITIATOR, RESPONDER, sampleRecord, sampleState } from './sample-record.test-helper.js';
import type { Role } from '../signer.js';
import type { ChannelRecord, RecordLock } from './store.js';

let dir: string;
const locks: RecordLock[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ch-log-store-'));
});
afterEach(async () => {
  await Promise.all(locks.splice(0).map((l) => l.release()));
  rmSync(dir, { recursive: true, force: true });
});

/** A store that holds the lock of `roles`' records of CHANNEL (released after the test), as a channel's does. */
async function locked<S extends LogStore | FileStore>(store: S, roles: readonly Role[] = ['initiator']): Promise<S> {
  for (const role of roles) locks.push(await store.lock(CHANNEL, role));
  return store;
}

const logOf = (role = 'initiator') => join(dir, `${CHANNEL}.${role}.log`);

describe('LogStore', () => {
  test('records are kept per channel and role: both parties share a store', async () => {
    const store = await locked(new LogStore(dir), ['initiator', 'responder']);
    await store.save(sampleRecord(4n, true, 'initiator'));
    await store.save(sampleRecord(7n, false, 'responder'));
    expect((await new LogStore(dir).load(CHANNEL, 'initiator'))).toEqual(sampleRecord(4n, true, 'initiator'));
    expect((await new LogStore(dir).load(CHANNEL, 'responder'))?.state.round).toBe(7n);
    // Unnamed, the role is ambiguous: a typed error, not one party's record for the other.
    await expect(new LogStore(dir).load(CHANNEL)).rejects.toMatchObject({ kind: 'store', code: 'ambiguous' });
  });

  test('the newest complete entry is the record; bigints beyond 64 bits survive', async () => {
    const store = await locked(new LogStore(dir));
    for (let round = 1n; round <= 30n; round++) await store.save(sampleRecord(2n ** 64n + round, round % 2n === 0n));
    expect(await new LogStore(dir).load(CHANNEL, 'initiator')).toEqual(sampleRecord(2n ** 64n + 30n, true));
    expect(await new LogStore(dir).load(CHANNEL)).toEqual(sampleRecord(2n ** 64n + 30n, true));
  });

  test('a torn tail (cut short, zeros, failing its CRC, garbage) is ignored, and cut off at the next save', async () => {
    await (await locked(new LogStore(dir))).save(sampleRecord(5n));
    await locks.pop()!.release();
    const whole = entry(encodeRecord(sampleRecord(5n))).length;
    const first = readFileSync(logOf()).subarray(0, whole);
    // Written once the first was flushed, as its writer would.
    const next = entry(encodeRecord(sampleRecord(6n)), whole);
    const garbage = Buffer.from(Array.from({ length: 300 }, (_, n) => (n * 37 + 11) & 0xff));
    const tails = [next.subarray(0, 7), next.subarray(0, 20), next.subarray(0, next.length - 1), Buffer.alloc(300), Buffer.concat([next.subarray(0, -1), Buffer.from([next.at(-1)! ^ 1])]), garbage];
    // At the end of the file, in the zeros a log is filled with ahead of its writes, and before garbage.
    for (const after of [Buffer.alloc(0), Buffer.alloc(5000), Buffer.concat([Buffer.alloc(100), garbage])]) {
      for (const tail of tails) {
        writeFileSync(logOf(), Buffer.concat([first, tail, after]));
        expect((await new LogStore(dir).load(CHANNEL, 'initiator'))?.state.round).toBe(5n);
      }
    }
    await (await locked(new LogStore(dir))).save(sampleRecord(7n));
    // The torn tail was zeroed; the new entry took its place.
    const seventh = entry(encodeRecord(sampleRecord(7n)), whole).length;
    expect(readFileSync(logOf()).subarray(whole + seventh).every((b) => b === 0)).toBe(true);
    expect((await new LogStore(dir).load(CHANNEL, 'initiator'))?.state.round).toBe(7n);
  });

  test('a bad entry before the tail is refused, not passed over', async () => {
    const store = await locked(new LogStore(dir));
    await store.save(sampleRecord(5n));
    await store.save(sampleRecord(6n));
    const bytes = readFileSync(logOf());
    bytes[40] = bytes[40]! ^ 0x10;
    writeFileSync(logOf(), bytes);
    await expect(new LogStore(dir).load(CHANNEL, 'initiator')).rejects.toMatchObject({ kind: 'store', code: 'invalid', message: expect.stringContaining('CRC') });
  });

  test('the log is compacted once it outgrows compactAt', async () => {
    const store = await locked(new LogStore(dir, { compactAt: 4096 }));
    for (let round = 1n; round <= 200n; round++) {
      await store.save(sampleRecord(round, true));
      await store.save(sampleRecord(round + 1n));
    }
    // Zero-filled to compactAt + 64 KiB, never grown past it.
    expect(statSync(logOf()).size).toBe(4096 + 65536);
    expect(await new LogStore(dir).load(CHANNEL, 'initiator')).toEqual(sampleRecord(201n));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('files are 0600 in a 0700 directory, even where they were wider before', async () => {
    const inner = join(dir, 'records');
    const store = new LogStore(inner);
    const lock = await store.lock(CHANNEL, 'initiator');
    await store.save(sampleRecord(1n));
    expect(statSync(inner).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(inner)) expect([name, statSync(join(inner, name)).mode & 0o777]).toEqual([name, 0o600]);
    expect(readdirSync(inner).sort()).toEqual([`${CHANNEL}.initiator.lock`, `${CHANNEL}.initiator.log`]);
    await lock.release();

    chmodSync(inner, 0o755);
    chmodSync(join(inner, `${CHANNEL}.initiator.log`), 0o644);
    const again = new LogStore(inner);
    locks.push(await again.lock(CHANNEL, 'initiator'));
    await again.save(sampleRecord(2n));
    expect(statSync(inner).mode & 0o777).toBe(0o700);
    expect(statSync(join(inner, `${CHANNEL}.initiator.log`)).mode & 0o777).toBe(0o600);
    // FileStore keeps to the same modes.
    const files = new FileStore(join(dir, 'files'));
    locks.push(await files.lock(CHANNEL, 'initiator'));
    await files.save(sampleRecord(1n));
    expect(statSync(join(dir, 'files')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'files', `${CHANNEL}.initiator.msgpack`)).mode & 0o777).toBe(0o600);
  });

  test("a record's lock is exclusive, across instances and roles apart; released, it can be taken again", async () => {
    const first = await new LogStore(dir).lock(CHANNEL, 'initiator');
    await expect(new LogStore(dir).lock(CHANNEL, 'initiator')).rejects.toMatchObject({ kind: 'store', code: 'locked' });
    await expect(new FileStore(dir).lock(CHANNEL, 'initiator')).rejects.toBeInstanceOf(StoreError);
    const other = await new LogStore(dir).lock(CHANNEL, 'responder');
    await first.release();
    const second = await new LogStore(dir).lock(CHANNEL, 'initiator');
    await Promise.all([second.release(), other.release()]);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('a lock left by a process that died is stale and taken over', async () => {
    // A pid that is no live process: the highest a Linux pid can be, plus one.
    writeFileSync(join(dir, `${CHANNEL}.initiator.lock`), `4194305 left-by-a-dead-process\n`, { mode: 0o600 });
    const lock = await new LogStore(dir).lock(CHANNEL, 'initiator');
    await lock.release();
  });
});

/** 200 corrupted records, each of a kind a disk, a bug or an attacker makes; named for the report. */
function corruptions(): [name: string, bytes: Uint8Array][] {
  const random = seededRandom(13);
  const good = (r: ChannelRecord) => entry(encodeRecord(r));
  const base = good(sampleRecord(5n, true));
  const out: [string, Uint8Array][] = [];
  for (let n = 0; n < 60; n++) {
    const bytes = Buffer.from(base);
    const at = Math.floor(random() * bytes.length);
    bytes[at] = bytes[at]! ^ (1 << Math.floor(random() * 8));
    out.push([`byte ${at} flipped`, bytes]);
  }
  for (let n = 0; n < 40; n++) {
    const length = 1 + Math.floor(random() * (base.length - 1));
    out.push([`truncated to ${length} bytes`, base.subarray(0, length)]);
  }
  const stranger = keyPairFromSecret(new Uint8Array(32).fill(9));
  const r = sampleRecord(5n, true);
  const signers = [
    ['signed by a stranger for the responder', [INITIATOR, stranger]],
    ['signed by the initiator alone', [INITIATOR]],
    ['signed by no one', []],
  ] as const;
  for (let n = 0; n < 30; n++) {
    const [what, keys] = signers[n % 3]!;
    const round = 5n + BigInt(n);
    out.push([`state ${what}`, good({ ...r, state: sampleState(round, undefined, [...keys]), pending: undefined })]);
  }
  for (let n = 0; n < 10; n++) out.push([`signed under another network id (${n})`, good({ ...r, state: sampleState(5n + BigInt(n), undefined, undefined, `other_net_${n}`), pending: undefined })]);
  for (let n = 0; n < 10; n++) out.push([`pending signed by the responder, not us (${n})`, good({ ...r, pending: sampleState(6n, [BigInt(n), 1n], [RESPONDER]) })]);
  for (let n = 0; n < 30; n++) {
    const state = sampleState(5n);
    const balances = state.balances.map(([k, v], i) => [k, i === n % 2 ? v + 1n + BigInt(n) : v] as const);
    out.push([`balances changed by ${1 + n}`, good({ ...r, state: { ...state, balances } })]);
  }
  for (let n = 0; n < 5; n++) out.push([`round ${6 + n} on a round-5 tx`, good({ ...r, state: { ...sampleState(5n), round: 6n + BigInt(n) }, pending: undefined })]);
  for (let n = 0; n < 5; n++) out.push([`another channel's tx (${n})`, good({ ...r, channelId: 'ch_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn' })]);
  const payloads: [string, Uint8Array][] = [
    ['JSON text', Buffer.from(JSON.stringify({ format: 1, record: { channelId: CHANNEL } }))],
    ['JSON with bigints as strings', Buffer.from('{"format":1,"record":{"state":{"round":"5"}}}')],
    ['a MessagePack string', msgpack('record')],
    ['MessagePack of another format', msgpack({ format: 2, record: {} })],
    ['MessagePack of null', msgpack(null)],
  ];
  for (let n = 0; n < 10; n++) {
    const [what, bytes] = payloads[n % payloads.length]!;
    out.push([`${what} (${n})`, entry(bytes)]);
  }
  while (out.length < 200) {
    const junk = new Uint8Array(1 + Math.floor(random() * 400)).map(() => Math.floor(random() * 256));
    out.push([`random payload of ${junk.length} bytes with a good CRC`, entry(junk)]);
  }
  return out;
}

describe('200 corrupted records: each a typed error, none adopted', () => {
  const cases = corruptions();
  test('there are 200', () => expect(cases).toHaveLength(200));

  test.each(cases)('%s', async (_, bytes) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(logOf(), bytes, { mode: 0o600 });
    const loaded = await new LogStore(dir).load(CHANNEL, 'initiator').catch((e: unknown) => e);
    expect(loaded).toBeInstanceOf(StoreError);
    expect(loaded).toMatchObject({ kind: 'store', code: 'invalid' });
    // The channel refuses it before any connection: the url is never dialled.
    const back = await Channel.reconnect({ url: 'ws://127.0.0.1:9', channelId: CHANNEL, role: 'initiator', store: new LogStore(dir), signer: secretKeySigner(generateKeyPair().secretKey) })
      .then((c) => (c.disconnect(), c))
      .catch((e: unknown) => e);
    expect(back).toBeInstanceOf(StoreError);
    expect(back).toMatchObject({ code: 'invalid' });
  });
});

describe('SIGKILLed while writing', () => {
  let bundle: string;
  beforeEach(async () => {
    bundle = join(dir, 'writer.mjs');
    await bundleForNode(fileURLToPath(new URL('../test-support/store-writer-child.ts', import.meta.url)), bundle);
  });

  test.each(['log', 'file'] as const)('%s store: no temporary file after opening, no stuck lock, no confirmed round lost', async (kind) => {
    const records = join(dir, 'records');
    const random = seededRandom(kind === 'log' ? 1 : 2);
    const Store = kind === 'log' ? LogStore : FileStore;
    let confirmed = 0n;
    for (let kill = 0; kill < 12; kill++) {
      const child = spawn(process.execPath, [bundle, records, kind], { stdio: ['ignore', 'pipe', 'inherit'] });
      const lines: string[] = [];
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await until(() => lines.includes('locked'), 10_000);
      // Alive, the writer holds the record: a second instance of the party gets a typed error.
      if (kill === 0) await expect(new Store(records).lock(CHANNEL, 'initiator')).rejects.toMatchObject({ code: 'locked', message: expect.stringContaining(`process ${child.pid}`) });
      await sleep(20 + random() * 150);
      child.kill('SIGKILL');
      await exited;
      const printed = lines.filter((l) => l !== 'locked').map(BigInt);
      if (printed.length > 0) confirmed = printed.at(-1)!;
      const store = new Store(records);
      // The dead writer's lock does not block; taking it prepares the directory, which removes its temporary files.
      const lock = await store.lock(CHANNEL, 'initiator');
      expect(readdirSync(records).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      const record = await store.load(CHANNEL, 'initiator');
      expect(record?.state.round ?? 0n).toBeGreaterThanOrEqual(confirmed);
      await lock.release();
    }
    expect(confirmed).toBeGreaterThan(0n);
  }, 120_000);
});
