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
import type { ChannelTerms } from '../checks.js';
import { RECORD_FORMAT, unwrapRecord } from './record-format.js';
import { onlyRecord, ROLES, type ChannelRecord, type ChannelStore, type RecordLock, type StoredState } from './store.js';

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

/**
 * The record's MessagePack bytes, as the encoder makes of `wrapRecord(record)`, its fields in the
 * order `ChannelRecord` lists them. Put together from parts, since consecutive saves repeat most
 * of a record: its channel's fields, and its states (a state confirmed is the pending one of the
 * save before, and the state of the save after).
 */
export function encodeRecord(record: ChannelRecord): Uint8Array {
  const parts = [WRAPPER, mapHeader(5 + (record.fsmId === undefined ? 0 : 1) + (record.pending === undefined ? 0 : 1)), channelPart(record), STATE_KEY, statePart(record.state)];
  if (record.pending !== undefined) parts.push(PENDING_KEY, statePart(record.pending));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

/** `{ format, record: ` — the wrapper's map, up to the record's. */
const WRAPPER = encoder.encode({ format: RECORD_FORMAT, record: {} }).subarray(0, -1);
const STATE_KEY = encoder.encode('state');
const PENDING_KEY = encoder.encode('pending');
/** Parts encoded lately, each kept for a few saves: channel fields by record, states by tx. */
const RECENT = 8;
const channels = new Map<string, { readonly fields: ChannelFields; readonly bytes: Uint8Array }>();
const states = new Map<string, { readonly state: StoredState; readonly bytes: Uint8Array }>();

type ChannelFields = Pick<ChannelRecord, 'networkId' | 'terms' | 'fsmId'>;

function mapHeader(size: number): Uint8Array {
  return Uint8Array.of(0x80 | size);
}

function remember<T>(recent: Map<string, T>, key: string, value: T): T {
  recent.delete(key);
  recent.set(key, value);
  if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
  return value;
}

/** The record's fields but its states: the keys and values of channelId, role, networkId, terms, fsmId. */
function channelPart(record: ChannelRecord): Uint8Array {
  const { channelId, role, networkId, terms, fsmId } = record;
  const key = `${channelId}/${role}`;
  const known = channels.get(key)?.fields;
  if (known && known.networkId === networkId && known.fsmId === fsmId && sameTerms(known.terms, terms)) return channels.get(key)!.bytes;
  // The map's entries without its header; what was encoded is copied, so a change to the record after is not missed.
  const bytes = encoder.encode({ channelId, role, networkId, terms, fsmId }).subarray(1);
  return remember(channels, key, { fields: { networkId, terms: { ...terms }, fsmId }, bytes }).bytes;
}

function sameTerms(a: ChannelTerms, b: ChannelTerms): boolean {
  const keys = Object.keys(a) as (keyof ChannelTerms)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function statePart(state: StoredState): Uint8Array {
  const known = states.get(state.tx);
  if (known && known.state.round === state.round && sameBalances(known.state.balances, state.balances)) return known.bytes;
  const copy = { round: state.round, tx: state.tx, balances: state.balances.map(([key, balance]) => [key, balance] as const) };
  return remember(states, state.tx, { state: copy, bytes: encoder.encode(copy) }).bytes;
}

function sameBalances(a: StoredState['balances'], b: StoredState['balances']): boolean {
  return a.length === b.length && a.every(([key, balance], i) => b[i]![0] === key && b[i]![1] === balance);
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
