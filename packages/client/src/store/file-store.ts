/**
 * One MessagePack file per channel, replaced atomically: the new record goes to a temporary file
 * in the same directory, is flushed to disk (fsync), then renamed over the old one, and the
 * directory is flushed so the rename itself survives a power cut. A reader therefore sees the old
 * record or the new one, never a torn one. Amounts are `bigint` and may exceed 64 bits, so they
 * travel as a MessagePack extension holding their decimal digits.
 */
import { decode, encode, ExtensionCodec } from '@msgpack/msgpack';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import type { Encoded } from '@ch/codec';
import { ChannelError, ChannelErrorKind } from '../errors.js';
import { unwrapRecord, wrapRecord } from './record-format.js';
import type { ChannelRecord, ChannelStore } from './store.js';

const BIGINT_EXT = 1;
const codec = new ExtensionCodec();
codec.register({
  type: BIGINT_EXT,
  encode: (value: unknown) => (typeof value === 'bigint' ? new TextEncoder().encode(value.toString()) : null),
  decode: (data: Uint8Array) => BigInt(new TextDecoder().decode(data)),
});

export function encodeRecord(record: ChannelRecord): Uint8Array {
  return encode(wrapRecord(record), { extensionCodec: codec, ignoreUndefined: true });
}

/** The record of `channelId` in `bytes`, checked (record-format.ts). */
export function decodeRecord(bytes: Uint8Array, channelId: Encoded<'ch'>): ChannelRecord {
  let value: unknown;
  try {
    value = decode(bytes, { extensionCodec: codec });
  } catch (e) {
    throw new ChannelError(ChannelErrorKind.STORE, 'not a channel record: the bytes do not decode (torn, or not MessagePack)', { cause: e });
  }
  return unwrapRecord(value, channelId);
}

export class FileStore implements ChannelStore {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
  }

  async load(channelId: Encoded<'ch'>): Promise<ChannelRecord | undefined> {
    const file = this.#path(channelId);
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ChannelError(ChannelErrorKind.STORE, `cannot read the record of ${channelId}`, { cause: e });
    }
    return decodeRecord(bytes, channelId);
  }

  async save(record: ChannelRecord): Promise<void> {
    const file = this.#path(record.channelId);
    const temp = `${file}.${process.pid}.${globalThis.crypto.randomUUID()}.tmp`;
    try {
      await fs.mkdir(this.directory, { recursive: true });
      const handle = await fs.open(temp, 'wx');
      try {
        await handle.writeFile(encodeRecord(record));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, file);
    } catch (e) {
      await fs.rm(temp, { force: true });
      throw new ChannelError(ChannelErrorKind.STORE, `cannot save the record of ${record.channelId}`, { cause: e });
    }
    await syncDirectory(this.directory);
  }

  #path(channelId: string): string {
    // Channel ids are base58: they cannot climb out of the directory, but refuse anything else.
    if (!/^ch_[1-9A-HJ-NP-Za-km-z]+$/.test(channelId)) throw new ChannelError(ChannelErrorKind.STORE, `not a channel id: ${channelId}`);
    return join(this.directory, `${channelId}.msgpack`);
  }
}

/** Flushes the directory entry of the rename; platforms that cannot open a directory (Windows) skip it. */
async function syncDirectory(directory: string): Promise<void> {
  let dir: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    dir = await fs.open(directory, 'r');
    await dir.sync();
  } catch {
    // Not supported here; the rename is still atomic.
  } finally {
    await dir?.close();
  }
}
