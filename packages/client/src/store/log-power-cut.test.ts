/**
 * LogStore after a power cut: writes not yet flushed may survive in part and in any order, so a
 * complete entry may follow a torn one. The log goes back to its last entry before the tear, unless
 * an entry after it says the log was flushed past it (then it is corruption, `invalid`). And every
 * save that holds a state our signature completes is flushed before it resolves (that signature
 * goes out after it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { encodeRecord } from './file-store.js';
import { logEntry } from './log-entry.test-helper.js';
import { LogStore } from './log-store.js';
import { CHANNEL, sampleRecord } from './sample-record.test-helper.js';
import type { ChannelRecord, RecordLock } from './store.js';

let dir: string;
let lock: RecordLock | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ch-power-cut-'));
});
afterEach(async () => {
  await lock?.release();
  lock = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const logOf = () => join(dir, `${CHANNEL}.initiator.log`);

/** The entry of `record` as LogStore frames it: `durable` is how far the log was flushed when it was written. */
const entry = (record: ChannelRecord, durable: number) => logEntry(encodeRecord(record), durable);

/** The entries of a log as written: where each starts and ends, and how far it says the log was flushed. */
function entries(bytes: Buffer): { start: number; end: number; durable: number }[] {
  const out = [];
  for (let at = 0; at + 16 <= bytes.length && bytes.readUInt32BE(at) !== 0; ) {
    const end = at + 16 + bytes.readUInt32BE(at);
    out.push({ start: at, end, durable: bytes.readUInt32BE(at + 8) });
    at = end;
  }
  return out;
}

const load = () => new LogStore(dir).load(CHANNEL, 'initiator');

describe('after a power cut', () => {
  const flushed = entry(sampleRecord(5n, true), 0);
  const end = flushed.length;
  // Written after `flushed` was, before any flush past it: a confirmation, then the next pending state.
  const confirmation = entry(sampleRecord(6n), end);
  const unflushed = entry(sampleRecord(6n, true), end);
  const garbage = Buffer.from(Array.from({ length: confirmation.length }, (_, n) => (n * 89 + 7) & 0xff));

  test.each([
    ['cut short', confirmation.subarray(0, 40)],
    ['garbage, not zeros', garbage],
    ['a byte of it wrong', Buffer.concat([confirmation.subarray(0, 60), Buffer.from([confirmation[60]! ^ 4]), confirmation.subarray(61)])],
    ['zeros', Buffer.alloc(confirmation.length)],
  ])('a torn unflushed entry (%s) followed by a complete unflushed one: back to the last entry before the tear', async (_, torn) => {
    writeFileSync(logOf(), Buffer.concat([flushed, torn, unflushed, Buffer.alloc(4096)]), { mode: 0o600 });
    expect(await load()).toEqual(sampleRecord(5n, true));
    // Opened for writing, the tail is cut: the next entry follows the last good one, and is read back.
    const store = new LogStore(dir);
    lock = await store.lock(CHANNEL, 'initiator');
    await store.save(sampleRecord(6n));
    expect(await load()).toEqual(sampleRecord(6n));
    const bytes = readFileSync(logOf());
    expect(entries(bytes).map((e) => e.start)).toEqual([0, end]);
    expect(bytes.subarray(entries(bytes)[1]!.end).every((b) => b === 0)).toBe(true);
  });

  test('a header claiming more than the log holds, with garbage after: torn, not read past', async () => {
    const overLong = Buffer.alloc(16);
    overLong.writeUInt32BE(1 << 24, 0);
    overLong.writeUInt32BE(~(1 << 24) >>> 0, 4);
    writeFileSync(logOf(), Buffer.concat([flushed, overLong, garbage]), { mode: 0o600 });
    expect(await load()).toEqual(sampleRecord(5n, true));
  });

  test.each([
    ['fails its CRC', (e: Buffer) => Buffer.concat([e.subarray(0, 60), Buffer.from([e[60]! ^ 4]), e.subarray(61)])],
    ['is cut short', (e: Buffer) => e.subarray(0, 30)],
    ['has a header claiming more than the log holds', (e: Buffer) => Buffer.concat([Buffer.from([0, 0x10, 0, 0, 0xff, 0xef, 0xff, 0xff]), e.subarray(8)])],
  ])('an entry that %s, though a later entry says the log was flushed past it: `invalid`, never passed over', async (_, corrupt) => {
    // The third entry was written once the second was flushed: the second was durable, not torn.
    const later = entry(sampleRecord(6n, true), end + confirmation.length);
    writeFileSync(logOf(), Buffer.concat([flushed, corrupt(confirmation), later, Buffer.alloc(4096)]), { mode: 0o600 });
    await expect(load()).rejects.toMatchObject({ kind: 'store', code: 'invalid', message: expect.stringContaining(`corrupted at byte ${end}`) });
  });

  test('as LogStore writes it: our own proposal unflushed, its confirmation flushed in the background, a state our signature completes flushed before it resolves', async () => {
    const store = new LogStore(dir);
    lock = await store.lock(CHANNEL, 'initiator');
    await store.save(sampleRecord(5n)); // the first
    await store.save(sampleRecord(5n, true)); // ours, signed alone: the node gives it back if the peer completes it
    await store.save(sampleRecord(6n)); // its confirmation: flushed before the next save
    await store.save(sampleRecord(6n, 'co-signed')); // the peer's, our signature completes it: flushed before it goes out
    await store.save(sampleRecord(7n)); // its confirmation
    await lock.release();
    lock = undefined;
    const bytes = readFileSync(logOf());
    const [first, own, confirmed, completed, last] = entries(bytes);
    // Each entry says how far the log was flushed before it.
    expect([first, own, confirmed, completed, last].map((e) => e!.durable)).toEqual([0, first!.end, first!.end, confirmed!.end, completed!.end]);

    // Cut before the background flush: our proposal torn, its confirmation complete: the first record.
    const torn = Buffer.from(bytes);
    torn.fill(0xa5, own!.start + 20, own!.end);
    writeFileSync(logOf(), torn.subarray(0, confirmed!.end));
    expect(await load()).toEqual(sampleRecord(5n));
    // The confirmation of the state we completed lost: that state, pending, as flushed.
    const tornConfirmation = Buffer.from(bytes);
    tornConfirmation.fill(0xa5, last!.start + 20, last!.end);
    writeFileSync(logOf(), tornConfirmation);
    expect(await load()).toEqual(sampleRecord(6n, 'co-signed'));
    // Our proposal torn though a later entry says the log was flushed past it: corruption.
    writeFileSync(logOf(), torn);
    await expect(load()).rejects.toMatchObject({ code: 'invalid' });
  });

  test('a party that only proposes: the durable log is never more than one round behind, a new FSM id is flushed at once', async () => {
    const store = new LogStore(dir);
    lock = await store.lock(CHANNEL, 'initiator');
    await store.save(sampleRecord(1n));
    for (let round = 1n; round <= 20n; round++) {
      await store.save(sampleRecord(round, true));
      await store.save(sampleRecord(round + 1n));
    }
    // Back on a new FSM, mid-proposal: the id is flushed with that save, which would otherwise be left for later.
    const fsmId = 'ba_kq5Bh2/XHAQh6A2KMWAqDg0Ob8Jx7dt3LTqz32WXaqBTuLkx';
    await store.save({ ...sampleRecord(21n, true), fsmId });
    await store.save({ ...sampleRecord(22n), fsmId });
    await lock.release();
    lock = undefined;
    const written = entries(readFileSync(logOf()));
    expect(written).toHaveLength(43);
    // Each own proposal follows the flush of the confirmation before it.
    for (let n = 3; n < 41; n += 2) expect(written[n]!.durable).toBe(written[n - 1]!.end);
    expect(written.at(-1)!.durable).toBe(written.at(-2)!.end);
  });
});
