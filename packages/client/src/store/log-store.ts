/**
 * Node's default store: an append-only log per channel and role, `<channel id>.<role>.log`, that
 * is durable at about the speed of memory. Each save appends one entry (the whole record); the
 * newest complete entry is the record. It writes only records this instance has locked (`lock`).
 *
 * Durability (see `durabilityOf`): a save is flushed (an O_DSYNC write) before it resolves, but
 * for what the node gives back on reestablishing (ChannelStore.save), written unflushed: our own
 * proposal, signed by us alone, and a confirmation of the peer's proposal (its pending entry,
 * flushed, holds that state already). A pending state our signature completes (the peer's
 * proposal we co-sign) is flushed: once that signature is out the peer may hold the state, and we
 * must too. The confirmation of our own proposal is flushed in the background, through the thread
 * pool, and the log's next operation waits for it, so the durable record is at most one round
 * behind while no channel operation waits for a flush of its own proposal. Lost in a power cut,
 * an own proposal leaves the record at the co-signed state before: if the peer completed it the
 * node holds it and the client adopts it on reestablishing (both signatures checked); if not, it
 * is void, as when the node reports a conflict and the client drops it (core/step.ts), after which
 * the protocol has both sides sign another state at that round anyway. A save with a new FSM id
 * is flushed (no node gives that back), and the lock's release flushes what is left.
 *
 * Entry: length (u32, big-endian), its complement, `durable` (u32: how far the log was known
 * flushed when the entry was written), CRC-32 of `durable` and the payload, payload (the record as
 * FileStore encodes it). After a power cut, writes not yet flushed may survive in part and in any
 * order (the page cache is written back as it goes): the log is read up to its first entry that
 * fails its checks; what follows is a torn tail of saves that were never flushed, ignored, and
 * zeroed when the log is next opened for writing, unless an entry after it says it was flushed
 * (`durable` past it): that is corruption, a `StoreError` of code `invalid`, never passed over for
 * an older entry. So is a log whose first entry fails, or a last complete entry that fails the
 * record checks.
 *
 * Compaction: once a log outgrows `compactAt` bytes, the next save rewrites it as that one entry
 * (temporary file, fsync, rename, directory fsync, as FileStore saves). A log is kept zero-filled
 * to `compactAt` + 64 KiB, so appends do not grow the file (see `openWriter`).
 */
import { fdatasyncSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as fs from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { Encoded } from '@ch/codec';
import { unwrap } from '../checks.js';
import { StoreError, StoreErrorCode } from '../errors.js';
import type { Role } from '../signer.js';
import { FILE_MODE, prepareDirectory, recordBase, replaceFile } from './directory.js';
import { decodeRecord, encodeRecord, ioError, readRecordFile } from './file-store.js';
import { lockFile } from './file-lock.js';
import { HeldLocks } from './held-locks.js';
import { onlyRecord, ROLES, type ChannelRecord, type ChannelStore, type RecordLock, type StoredState } from './store.js';

const HEADER = 16;
const DEFAULT_COMPACT_AT = 1 << 20;
const PREALLOCATE_SLACK = 1 << 16;

export interface LogStoreOptions {
  /** Bytes a log may grow to before it is rewritten as its last entry; default 1 MiB. */
  readonly compactAt?: number;
}

/** A log open for appending, with what a save needs to know of it. */
interface Writer {
  readonly handle: FileHandle;
  /** The log opened again for writes that are durable once they return (O_DSYNC), where the platform has it. */
  readonly durably: FileHandle | undefined;
  /** What is written past `durable`, unflushed: a durable write writes it again with its own entry. */
  tail: Uint8Array | undefined;
  /** Where the complete entries end. */
  size: number;
  /** How far a completed flush covers the log. */
  durable: number;
  /** The round of the last entry's pending state: a confirmation of it need not wait for a flush. */
  lastPending: bigint | undefined;
  /** That pending state is our own proposal, written unflushed: its confirmation is flushed (in the background). */
  ownPending: boolean;
  /** The FSM id of the last entry this writer wrote: a save that changes it is flushed. */
  fsmId: string | undefined;
  /** A flush in the background (of a confirmation of our own proposal): the next operation on the log waits for it. */
  flushing: Promise<void> | undefined;
}

/** How a save is made durable: before it resolves, in the background before the next save, or by a later flush. */
type Durability = 'now' | 'soon' | 'later';

export class LogStore implements ChannelStore {
  readonly directory: string;
  readonly compactAt: number;
  readonly #writers = new Map<string, Promise<Writer>>();
  /** Each record's operations, one after another. */
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #locks = new HeldLocks();
  /** Whether this store has prepared its directory yet (orphaned temporary files are removed then). */
  #prepared = false;
  /** A log's zero-filled length: past `compactAt` by room for the save that compacts it. */
  readonly #preallocate: number;

  constructor(directory: string, options: LogStoreOptions = {}) {
    this.directory = directory;
    this.compactAt = options.compactAt ?? DEFAULT_COMPACT_AT;
    this.#preallocate = this.compactAt + PREALLOCATE_SLACK;
  }

  async load(channelId: Encoded<'ch'>, role?: Role): Promise<ChannelRecord | undefined> {
    if (role === undefined) return onlyRecord(channelId, await Promise.all(ROLES.map((r) => this.load(channelId, r))));
    const file = this.#file(channelId, role);
    const bytes = await readRecordFile(file, channelId, role);
    if (bytes === undefined) return undefined;
    const { last } = readLog(bytes, file);
    if (last === undefined) {
      // Made (and zero-filled) by a writer that died before its first entry.
      if (zerosFrom(bytes, 0)) return undefined;
      throw new StoreError(StoreErrorCode.INVALID, `the log ${file} holds no complete record`);
    }
    return decodeRecord(last, channelId, role);
  }

  save(record: ChannelRecord): Promise<void> {
    const { channelId, role } = record;
    return this.#locks.save(channelId, role, () =>
      this.#serially(channelId, role, async () => {
        try {
          const payload = encodeRecord(record);
          const writer = await this.#writer(channelId, role);
          await writer.flushing;
          if (writer.size > this.compactAt) return await this.#compact(writer, channelId, role, payload, record);
          const entry = frame(payload, writer.durable);
          const durability = durabilityOf(record, writer);
          if (durability === 'now') {
            appendDurably(writer, entry);
          } else {
            // Into the page cache, microseconds: synchronously, rather than a round trip through the thread pool.
            write(writer.handle, entry, writer.size);
            writer.tail = writer.tail ? concat(writer.tail, entry) : entry;
            writer.size += entry.length;
            if (durability === 'soon') writer.flushing = flushInBackground(writer);
          }
          writer.lastPending = record.pending?.round;
          writer.ownPending = durability === 'later' && record.pending !== undefined;
          writer.fsmId = record.fsmId;
        } catch (e) {
          // The log's end is unknown now: the next save reopens it and cuts a torn tail.
          this.#drop(channelId, role);
          throw ioError(`cannot save the ${role}'s record of ${channelId}`, e);
        }
      }),
    );
  }

  async lock(channelId: Encoded<'ch'>, role: Role): Promise<RecordLock> {
    let lock: Awaited<ReturnType<typeof lockFile>>;
    try {
      await this.#prepare();
      lock = await lockFile(`${recordBase(this.directory, channelId, role)}.lock`, channelId, role);
    } catch (e) {
      throw ioError(`cannot lock the ${role}'s record of ${channelId}`, e);
    }
    // Whoever held the lock before may have written since this store last did: read the log afresh.
    await this.#serially(channelId, role, () => this.#close(channelId, role));
    // Released, the log is flushed and closed before the lock file goes.
    return this.#locks.hold(channelId, role, lock, () => this.#serially(channelId, role, () => this.#close(channelId, role)));
  }

  async #prepare(): Promise<void> {
    await prepareDirectory(this.directory, !this.#prepared);
    this.#prepared = true;
  }

  #file(channelId: Encoded<'ch'>, role: Role): string {
    return `${recordBase(this.directory, channelId, role)}.log`;
  }

  #serially<T>(channelId: Encoded<'ch'>, role: Role, task: () => Promise<T>): Promise<T> {
    const key = `${channelId}/${role}`;
    const run = (this.#queues.get(key) ?? Promise.resolve()).then(task, task);
    const settled = run.catch(() => undefined);
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return run;
  }

  #writer(channelId: Encoded<'ch'>, role: Role): Promise<Writer> {
    const key = `${channelId}/${role}`;
    let writer = this.#writers.get(key);
    if (writer === undefined) {
      writer = this.#prepare().then(() => openWriter(this.#file(channelId, role), this.#preallocate));
      this.#writers.set(key, writer);
      writer.catch(() => this.#writers.get(key) === writer && this.#writers.delete(key));
    }
    return writer;
  }

  /** Flushes and closes the record's writer, if open. */
  async #close(channelId: Encoded<'ch'>, role: Role): Promise<void> {
    const writer = this.#writers.get(`${channelId}/${role}`);
    this.#writers.delete(`${channelId}/${role}`);
    const open = await writer?.catch(() => undefined);
    if (open === undefined) return;
    try {
      await open.flushing;
      if (open.durable < open.size) flush(open);
    } finally {
      await Promise.all([open.handle.close(), open.durably?.close()]);
    }
  }

  #drop(channelId: Encoded<'ch'>, role: Role): void {
    const key = `${channelId}/${role}`;
    const writer = this.#writers.get(key);
    this.#writers.delete(key);
    void writer?.then(async (w) => {
      await w.flushing?.catch(() => undefined);
      await Promise.all([w.handle.close(), w.durably?.close()]);
    }).catch(() => undefined);
  }

  /** Rewrites the log as the one entry of `record`, then appends to the new file. */
  async #compact(writer: Writer, channelId: Encoded<'ch'>, role: Role, payload: Uint8Array, record: ChannelRecord): Promise<void> {
    const file = this.#file(channelId, role);
    const entry = frame(payload, 0);
    const bytes = new Uint8Array(Math.max(entry.length, this.#preallocate));
    bytes.set(entry);
    await replaceFile(this.directory, file, bytes);
    await Promise.all([writer.handle.close(), writer.durably?.close()]);
    const key = `${channelId}/${role}`;
    const reopened = openWriter(file, this.#preallocate).then((w) => ({ ...w, lastPending: record.pending?.round }));
    this.#writers.set(key, reopened);
    await reopened;
  }
}

/**
 * Flushed before it resolves, unless the node gives it back on reestablishing: a confirmation of
 * the peer's proposal, whose pending entry (flushed) holds the state already; our own proposal,
 * signed by us alone; and the confirmation of that, flushed in the background so the durable
 * record is never more than one round behind. A new FSM id is flushed: no node gives that back.
 */
function durabilityOf(record: ChannelRecord, writer: Writer): Durability {
  if (record.fsmId !== writer.fsmId) return 'now';
  if (record.pending === undefined) return record.state.round !== writer.lastPending ? 'now' : writer.ownPending ? 'soon' : 'later';
  return signedAlone(record.pending) ? 'later' : 'now';
}

/** A state with one signature: ours on our own proposal (the client checked it before saving). */
function signedAlone(state: StoredState): boolean {
  return (unwrap(state.tx).signed?.signatures.length ?? 0) < 2;
}

function frame(payload: Uint8Array, durable: number): Uint8Array {
  const entry = new Uint8Array(HEADER + payload.length);
  const view = new DataView(entry.buffer);
  view.setUint32(0, payload.length);
  view.setUint32(4, ~payload.length >>> 0);
  view.setUint32(8, durable);
  entry.set(payload, HEADER);
  view.setUint32(12, checksum(entry, 0, payload.length));
  return entry;
}

/** The CRC-32 of an entry's `durable` field and payload. */
function checksum(bytes: Uint8Array, at: number, length: number): number {
  return crc32(bytes.subarray(at + HEADER, at + HEADER + length), crc32(bytes.subarray(at + 8, at + 12)));
}

/** The payload length of the entry at `at`, if a whole entry that passes its checks starts there. */
function entryAt(bytes: Uint8Array, view: DataView, at: number): number | undefined {
  if (bytes.length - at < HEADER) return undefined;
  const length = view.getUint32(at);
  if ((~length >>> 0) !== view.getUint32(at + 4) || at + HEADER + length > bytes.length) return undefined;
  return checksum(bytes, at, length) === view.getUint32(at + 12) ? length : undefined;
}

/** The log's last entry before its torn tail (see the module's comment), and where the tail starts. */
function readLog(bytes: Uint8Array, file: string): { last: Uint8Array | undefined; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = 0;
  let last: Uint8Array | undefined;
  for (let length = entryAt(bytes, view, 0); length !== undefined; length = entryAt(bytes, view, end)) {
    last = bytes.subarray(end + HEADER, end + HEADER + length);
    end += HEADER + length;
  }
  // Whatever follows was never flushed, unless an entry in it (found wherever it starts) was written after a flush past `end`.
  for (let at = end + 1; at <= bytes.length - HEADER; at++) {
    if (view.getUint32(at + 8) > end && entryAt(bytes, view, at) !== undefined) {
      throw new StoreError(StoreErrorCode.INVALID, `the log ${file} is corrupted at byte ${end}: an entry fails its checks (length, CRC) where a later entry says the log was flushed`);
    }
  }
  return { last, end };
}

function zerosFrom(bytes: Uint8Array, from: number): boolean {
  return bytes.subarray(from).every((b) => b === 0);
}

/**
 * Opens `file` for appending (0600) and flushes it: what a writer before left unflushed is then
 * flushed too. A torn tail is zeroed, and the file is kept zero-filled to `preallocate` bytes:
 * appends then overwrite zeros in place, so their `fdatasync` has no new file size to commit to
 * the file system's journal, which would cost as much again.
 */
async function openWriter(file: string, preallocate: number): Promise<Writer> {
  const handle = await fs.open(file, fs.constants.O_RDWR | fs.constants.O_CREAT, FILE_MODE);
  try {
    const { mode } = await handle.stat();
    if ((mode & 0o777) !== FILE_MODE) await handle.chmod(FILE_MODE);
    const bytes = await handle.readFile();
    const { end } = readLog(bytes, file);
    const size = Math.max(bytes.length, preallocate);
    if (size > end && !(size === bytes.length && zerosFrom(bytes, end))) await handle.write(new Uint8Array(size - end), 0, size - end, end);
    await handle.datasync();
    const durably = O_DSYNC === undefined ? undefined : await fs.open(file, fs.constants.O_RDWR | O_DSYNC);
    return { handle, durably, tail: undefined, size: end, durable: end, lastPending: undefined, ownPending: false, fsmId: undefined, flushing: undefined };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** Not on Windows, which flushes with `fdatasync` then. */
const O_DSYNC = (fs.constants as { O_DSYNC?: number }).O_DSYNC;

function write(handle: FileHandle, bytes: Uint8Array, at: number): void {
  if (writeSync(handle.fd, bytes, 0, bytes.length, at) !== bytes.length) throw new Error('a short write');
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const both = new Uint8Array(a.length + b.length);
  both.set(a);
  both.set(b, a.length);
  return both;
}

/**
 * Appends `entry` and makes the log durable through it, blocking: the channel waits for this
 * before it signs anyway, and a round trip through the thread pool (a wake-up of each thread on a
 * busy machine) cost more than the flush itself on this disk. One O_DSYNC write of the unflushed
 * tail and the entry, which costs less than a write and an `fdatasync`: it flushes what it writes
 * only, which is all there is past `durable` (at most the entries of one round).
 */
function appendDurably(writer: Writer, entry: Uint8Array): void {
  const bytes = writer.tail ? concat(writer.tail, entry) : entry;
  if (writer.durably) {
    write(writer.durably, bytes, writer.durable);
    writer.size = writer.durable + bytes.length;
  } else {
    write(writer.handle, entry, writer.size);
    writer.size += entry.length;
    fdatasyncSync(writer.handle.fd);
  }
  writer.durable = writer.size;
  writer.tail = undefined;
}

/**
 * Flushes what is written past `durable` through the thread pool, off the channel's way: nothing
 * waits for it but the log's next operation, which finds it done by then (a round trip later).
 * Failed, that operation fails (and the log is reopened).
 */
function flushInBackground(writer: Writer): Promise<void> {
  const flushing = writer.handle.datasync().then(() => {
    writer.durable = writer.size;
    writer.tail = undefined;
    if (writer.flushing === flushing) writer.flushing = undefined;
  });
  // Kept rejected for the next operation to throw; not unhandled meanwhile.
  flushing.catch(() => undefined);
  return flushing;
}

/** Flushes what is written past `durable`. */
function flush(writer: Writer): void {
  fdatasyncSync(writer.handle.fd);
  writer.durable = writer.size;
  writer.tail = undefined;
}
