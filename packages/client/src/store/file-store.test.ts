import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { decodeRecord, encodeRecord, FileStore } from './file-store.js';
import { MemoryStore, type ChannelRecord } from './store.js';

const CHANNEL = 'ch_Bx4x8rvNpeHe2LtnDNqyqCvguqX5jEeotUDk5cRXH3mEXzy77';
const TX: `tx_${string}` = 'tx_+JALAfhCuEAHhFxkddW3oNkI5rMaEtI/RX/uS4FsU19FF37uxQpFlijWqmKKjcXNoBuSr4m+YZ+t4eodYuEO3wLt0k54QjQMuEj4RjkCoQYY3LBfu3dh9lxDQTFixVsZMWp7ufY8svJ1rYd9v86ViAagjzrFAgbG1168Sla7F83mqiYSM4EXSFASPfCvpxz+0ZfVolHc';

function record(round: bigint, pending = false): ChannelRecord {
  const state = { round, tx: TX, balances: [['6ae7fb98'.padEnd(64, '0'), 2n ** 70n] as const, ['aa5770d1'.padEnd(64, '0'), 40000000000002n] as const] };
  return {
    channelId: CHANNEL,
    role: 'initiator',
    networkId: 'local_lima_testnet',
    terms: {
      initiatorId: 'ak_p5mwxAHVY4fqWNqYDvGLfTAWGGra3B4zuNQayyHZZwS9bKrRx',
      responderId: 'ak_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn',
      initiatorAmount: 70000000000000n,
      responderAmount: 40000000000000n,
      pushAmount: 1n,
      channelReserve: 2n,
      lockPeriod: 10n,
    },
    fsmId: 'ba_ZG0hvKdgSOCMyu/1pVJaOCyUYc260bVVPLZg5Qzy/rcuM9pd',
    state,
    ...(pending && { pending: { ...state, round: round + 1n } }),
  };
}

describe('FileStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ch-client-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a record survives a reload, bigints beyond 64 bits included', async () => {
    await new FileStore(dir).save(record(2n ** 60n, true));
    const loaded = await new FileStore(dir).load(CHANNEL);
    expect(loaded).toEqual(record(2n ** 60n, true));
  });

  test('an unknown channel loads as undefined', async () => {
    expect(await new FileStore(dir).load('ch_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn')).toBeUndefined();
  });

  test('saves replace the file atomically and leave no temporary files', async () => {
    const store = new FileStore(dir);
    await Promise.all(Array.from({ length: 50 }, (_, n) => store.save(record(BigInt(n)))));
    expect(readdirSync(dir)).toEqual([`${CHANNEL}.msgpack`]);
    // Whichever save renamed last, the file is one whole record.
    const loaded = decodeRecord(readFileSync(join(dir, `${CHANNEL}.msgpack`)));
    expect(loaded.state.round).toBeLessThan(50n);
  });

  test('a torn or foreign file is refused, not misread', async () => {
    const bytes = encodeRecord(record(5n));
    writeFileSync(join(dir, `${CHANNEL}.msgpack`), bytes.subarray(0, bytes.length - 9));
    await expect(new FileStore(dir).load(CHANNEL)).rejects.toMatchObject({ kind: 'store', message: expect.stringContaining('do not decode') });
    writeFileSync(join(dir, `${CHANNEL}.msgpack`), encodeRecord({ ...record(5n), state: undefined } as never));
    await expect(new FileStore(dir).load(CHANNEL)).rejects.toMatchObject({ kind: 'store' });
  });

  test('the directory is made when missing, again if it is removed between saves', async () => {
    const store = new FileStore(join(dir, 'a', 'b'));
    await store.save(record(1n));
    rmSync(join(dir, 'a'), { recursive: true });
    await store.save(record(2n));
    expect((await store.load(CHANNEL))?.state.round).toBe(2n);
  });

  test('a channel id that is not one is refused', async () => {
    await expect(new FileStore(dir).save({ ...record(1n), channelId: 'ch_../../etc' })).rejects.toMatchObject({ kind: 'store' });
  });
});

describe('MemoryStore', () => {
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
