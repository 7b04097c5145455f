/**
 * One MessagePack file per channel and role, `<channel id>.<role>.msgpack`, replaced atomically:
 * the new record goes to a temporary file in the same directory, is flushed to disk (fsync), then
 * renamed over the old one, and the directory is flushed so the rename itself survives a power
 * cut. A reader therefore sees the old record or the new one, never a torn one. Every save costs
 * two fsyncs and a rename; `LogStore`, Node's default, appends instead. It writes only records
 * this instance has locked (`lock`). Amounts are `bigint` and
 * may exceed 64 bits, so they travel as a MessagePack extension holding their decimal digits.
 */
import { decode, Encoder, ExtensionCodec } from '@msgpack/msgpack';
import * as fs from 'node:fs/promises';
import type { Encoded } from '@ch/codec';
import { StoreError, StoreErrorCode } from '../errors.js';
import type { Role } from '../signer.js';
import { prepareDirectory, recordBase, replaceFile } from './directory.js';
import { lockFile } from './file-lock.js';
import { HeldLocks } from './held-locks.js';
import { unwrapRecord, wrapRecord } from './record-format.js';
import { onlyRecord, ROLES, type ChannelRecord, type ChannelStore, type RecordLock } from './store.js';

const BIGINT_EXT = 1;
const text = { encoder: new TextEncoder(), decoder: new TextDecoder() };
const codec = new ExtensionCodec();
codec.register({
  type: BIGINT_EXT,
  encode: (value: unknown) => (typeof value === 'bigint' ? text.encoder.encode(value.toString()) : null),
  decode: (data: Uint8Array) => BigInt(text.decoder.decode(data)),
});
/** One encoder, its buffer reused: a save is on the path of every signature. */
const encoder = new Encoder({ extensionCodec: codec, ignoreUndefined: true });

export function encodeRecord(record: ChannelRecord): Uint8Array {
  return encoder.encode(wrapRecord(record));
}

/** The record of `channelId` (and `role`, if named) in `bytes`, checked (record-format.ts). */
export function decodeRecord(bytes: Uint8Array, channelId: Encoded<'ch'>, role?: Role): ChannelRecord {
  let value: unknown;
  try {
    value = decode(bytes, { extensionCodec: codec });
  } catch (e) {
    throw new StoreError(StoreErrorCode.INVALID, 'not a channel record: the bytes do not decode (torn, or not MessagePack)', { cause: e });
  }
  return unwrapRecord(value, channelId, role);
}

/** The bytes of the file holding `role`'s record of `channelId`; undefined if there is none. */
export async function readRecordFile(file: string, channelId: Encoded<'ch'>, role: Role): Promise<Uint8Array | undefined> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError(`cannot read the ${role}'s record of ${channelId}`, e);
  }
}

/** A read or write that failed below the record: an `io` StoreError, unless it is a store error already. */
export function ioError(what: string, e: unknown): StoreError {
  return e instanceof StoreError ? e : new StoreError(StoreErrorCode.IO, what, { cause: e });
}

export class FileStore implements ChannelStore {
  readonly directory: string;
  readonly #locks = new HeldLocks();
  /** Whether this store has prepared its directory yet (orphaned temporary files are removed then). */
  #prepared = false;

  constructor(directory: string) {
    this.directory = directory;
  }

  async load(channelId: Encoded<'ch'>, role?: Role): Promise<ChannelRecord | undefined> {
    if (role === undefined) return onlyRecord(channelId, await Promise.all(ROLES.map((r) => this.load(channelId, r))));
    const bytes = await readRecordFile(`${recordBase(this.directory, channelId, role)}.msgpack`, channelId, role);
    return bytes && decodeRecord(bytes, channelId, role);
  }

  save(record: ChannelRecord): Promise<void> {
    return this.#locks.save(record.channelId, record.role, async () => {
      try {
        const file = `${recordBase(this.directory, record.channelId, record.role)}.msgpack`;
        await this.#prepare();
        await replaceFile(this.directory, file, encodeRecord(record));
      } catch (e) {
        throw ioError(`cannot save the ${record.role}'s record of ${record.channelId}`, e);
      }
    });
  }

  async lock(channelId: Encoded<'ch'>, role: Role): Promise<RecordLock> {
    try {
      const base = recordBase(this.directory, channelId, role);
      await this.#prepare();
      return this.#locks.hold(channelId, role, await lockFile(`${base}.lock`, channelId, role), async () => undefined);
    } catch (e) {
      throw ioError(`cannot lock the ${role}'s record of ${channelId}`, e);
    }
  }

  async #prepare(): Promise<void> {
    await prepareDirectory(this.directory, !this.#prepared);
    this.#prepared = true;
  }
}
