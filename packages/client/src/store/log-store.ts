/**
 * Node's default store: an append-only log per channel and role, `<channel id>.<role>.log`, that
 * is durable at about the speed of memory. Each save appends one entry (the whole record); the
 * newest complete entry is the record.
 *
 * Durability: a save is flushed (`fdatasync`) before it resolves when it holds a state this
 * client's signature completes (a pending state both signed), an on-chain tx, or the log's first
 * record. Two kinds of save resolve once written, unflushed: a confirmation (no pending state, its
 * state at the round of the pending state of the entry before), and an off-chain update of ours that only we
 * signed (our signature does not complete it: the node holds it once the peer co-signs, and gives
 * it back, checked, on reestablishing). Losing them in a power cut leaves the record as it was
 * before them, which the client resumes from like a crash there. The next flushed save covers
 * them; at most `MAX_UNFLUSHED` wait for one, and the lock's release flushes them. (Not flushed in
 * the background: a write to a page under writeback waits for it, so every append would.) So a
 * transfer costs one `fdatasync`, the co-signer's, before its signature goes out.
 *
 * Entry: length (u32, big-endian), its complement, CRC-32 of the payload, payload (the record as
 * FileStore encodes it). A last entry cut short or failing its check, with only zeros
 * after it, is a write torn by a crash, whose save never resolved: it is ignored, and zeroed when
 * the log is next opened for writing.
 * A bad entry before the tail, or a last complete entry that fails the record checks, is a
 * `StoreError` of code `invalid`, never passed over for an older one.
 *
 * Compaction: once a log outgrows `compactAt` bytes, the next save rewrites it as that one entry
 * (temporary file, fsync, rename, directory fsync, as FileStore saves). A log is kept zero-filled
 * to `compactAt` + 64 KiB, so appends do not grow the file (see `openWriter`).
 */
import { fdatasyncSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as fs from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { Tag, type Encoded } from '@ch/codec';
import { unwrap } from '../checks.js';
import { StoreError, StoreErrorCode } from '../errors.js';
import type { Role } from '../signer.js';
import { FILE_MODE, prepareDirectory, recordBase, replaceFile } from './directory.js';
import { decodeRecord, encodeRecord, ioError, readRecordFile } from './file-store.js';
import { lockFile } from './file-lock.js';
import { onlyRecord, ROLES, type ChannelRecord, type ChannelStore, type RecordLock } from './store.js';

const HEADER = 12;
const DEFAULT_COMPACT_AT = 1 << 20;
const PREALLOCATE_SLACK = 1 << 16;
/** Unflushed entries a save may leave before it must flush them (a payer's channel may never co-sign). */
const MAX_UNFLUSHED = 32;

export interface LogStoreOptions {
  /** Bytes a log may grow to before it is rewritten as its last entry; default 1 MiB. */
  readonly compactAt?: number;
}

/** A log open for appending, with what a save needs to know of it. */
interface Writer {
  readonly handle: FileHandle;
  size: number;
  /** The round of the last entry's pending state: a confirmation of it need not wait for a flush. */
  lastPending: bigint | undefined;
  /** Entries appended, and how many of them a completed flush covers. */
  written: number;
  flushed: number;
}

export class LogStore implements ChannelStore {
  readonly directory: string;
  readonly compactAt: number;
  readonly #writers = new Map<string, Promise<Writer>>();
  /** Each record's operations, one after another. */
  readonly #queues = new Map<string, Promise<unknown>>();
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
    return this.#serially(channelId, role, async () => {
      try {
        const payload = encodeRecord(record);
        const writer = await this.#writer(channelId, role);
        if (writer.size > this.compactAt) return await this.#compact(writer, channelId, role, payload, record);
        const entry = frame(payload);
        const later = mayFlushLater(record, writer);
        // Into the page cache, microseconds: synchronously, rather than a round trip through the thread pool.
        writeSync(writer.handle.fd, entry, 0, entry.length, writer.size);
        writer.size += entry.length;
        writer.written += 1;
        writer.lastPending = record.pending?.round;
        if (!later) await flush(writer);
      } catch (e) {
        // The log's end is unknown now: the next save reopens it and cuts a torn tail.
        this.#drop(channelId, role);
        throw ioError(`cannot save the ${role}'s record of ${channelId}`, e);
      }
    });
  }

  async lock(channelId: Encoded<'ch'>, role: Role): Promise<RecordLock> {
    let lock: RecordLock;
    try {
      await this.#prepare();
      lock = await lockFile(`${recordBase(this.directory, channelId, role)}.lock`, channelId, role);
    } catch (e) {
      throw ioError(`cannot lock the ${role}'s record of ${channelId}`, e);
    }
    // Whoever held the lock before may have written since this store last did: read the log afresh.
    await this.#serially(channelId, role, () => this.#close(channelId, role));
    return {
      // The lock is let go at once (another instance may follow right away); the log is flushed and closed meanwhile.
      release: async () => {
        await Promise.all([lock.release(), this.#serially(channelId, role, () => this.#close(channelId, role))]);
      },
    };
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
      if (open.flushed < open.written) await flush(open);
    } finally {
      await open.handle.close();
    }
  }

  #drop(channelId: Encoded<'ch'>, role: Role): void {
    const key = `${channelId}/${role}`;
    const writer = this.#writers.get(key);
    this.#writers.delete(key);
    void writer?.then((w) => w.handle.close()).catch(() => undefined);
  }

  /** Rewrites the log as the one entry of `record`, then appends to the new file. */
  async #compact(writer: Writer, channelId: Encoded<'ch'>, role: Role, payload: Uint8Array, record: ChannelRecord): Promise<void> {
    const file = this.#file(channelId, role);
    const entry = frame(payload);
    const bytes = new Uint8Array(Math.max(entry.length, this.#preallocate));
    bytes.set(entry);
    await replaceFile(this.directory, file, bytes);
    await writer.handle.close();
    const key = `${channelId}/${role}`;
    const reopened = openWriter(file, this.#preallocate).then((w) => ({ ...w, lastPending: record.pending?.round }));
    this.#writers.set(key, reopened);
    await reopened;
  }
}

function frame(payload: Uint8Array): Uint8Array {
  const entry = new Uint8Array(HEADER + payload.length);
  const view = new DataView(entry.buffer);
  view.setUint32(0, payload.length);
  view.setUint32(4, ~payload.length >>> 0);
  view.setUint32(8, crc32(payload));
  entry.set(payload, HEADER);
  return entry;
}

/** The log's last complete entry's payload and where the complete entries end. */
function readLog(bytes: Uint8Array, file: string): { last: Uint8Array | undefined; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  let last: Uint8Array | undefined;
  // A failing entry with nothing but zeros after it is the torn tail: the write a crash cut short.
  while (bytes.length - offset >= HEADER && !zerosFrom(bytes, offset)) {
    const length = view.getUint32(offset);
    if ((~length >>> 0) !== view.getUint32(offset + 4)) {
      if (zerosFrom(bytes, offset + HEADER)) break;
      throw new StoreError(StoreErrorCode.INVALID, `the log ${file} is corrupted at byte ${offset}: a bad entry header`);
    }
    const end = offset + HEADER + length;
    if (end > bytes.length) break;
    const payload = bytes.subarray(offset + HEADER, end);
    if (crc32(payload) !== view.getUint32(offset + 8)) {
      if (zerosFrom(bytes, end)) break;
      throw new StoreError(StoreErrorCode.INVALID, `the log ${file} is corrupted at byte ${offset}: an entry fails its CRC`);
    }
    last = payload;
    offset = end;
  }
  return { last, end: offset };
}

function zerosFrom(bytes: Uint8Array, from: number): boolean {
  return bytes.subarray(from).every((b) => b === 0);
}

/**
 * Opens `file` for appending (0600). A torn tail is zeroed, and the file is kept zero-filled to
 * `preallocate` bytes: appends then overwrite zeros in place, so their `fdatasync` has no new file
 * size to commit to the file system's journal, which would cost as much again.
 */
async function openWriter(file: string, preallocate: number): Promise<Writer> {
  const handle = await fs.open(file, fs.constants.O_RDWR | fs.constants.O_CREAT, FILE_MODE);
  try {
    const { mode } = await handle.stat();
    if ((mode & 0o777) !== FILE_MODE) await handle.chmod(FILE_MODE);
    const bytes = await handle.readFile();
    const { end } = readLog(bytes, file);
    const size = Math.max(bytes.length, preallocate);
    if (size > end && !(size === bytes.length && zerosFrom(bytes, end))) {
      await handle.write(new Uint8Array(size - end), 0, size - end, end);
      await handle.sync();
    }
    return { handle, size: end, lastPending: undefined, written: end > 0 ? 1 : 0, flushed: end > 0 ? 1 : 0 };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** Whether `record` may be saved without waiting for its flush (see the module's comment). */
function mayFlushLater(record: ChannelRecord, writer: Writer): boolean {
  if (writer.written === 0 || writer.written - writer.flushed >= MAX_UNFLUSHED) return false;
  // A state at that round is the confirmed one, co-signed: the client adopts no other (by the round, to spare decoding two txs).
  if (record.pending === undefined) return record.state.round === writer.lastPending;
  const { signed, inner } = unwrap(record.pending.tx);
  return inner.tag === Tag.ChannelOffChainTx && (signed?.signatures.length ?? 0) < 2;
}

/**
 * Flushes the log, blocking: the channel waits for this flush before it signs anyway, and a round
 * trip through the thread pool (a wake-up of each thread on a busy machine) cost more than the
 * flush itself on this disk. Other work of the process waits for the disk meanwhile.
 */
async function flush(writer: Writer): Promise<void> {
  fdatasyncSync(writer.handle.fd);
  writer.flushed = writer.written;
}

