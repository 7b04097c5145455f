/**
 * API string encodings (`ak_…`, `tx_…`, …): `prefix_` ++ base58 or base64 of
 * (payload ++ first 4 bytes of sha256(sha256(payload))), as aeser_api_encoder does.
 */
import { base58, base64 as scureBase64 } from '@scure/base';
import { checksumWord } from './sha256.js';
import { BoundedCache } from './bounded-cache.js';
import { CodecError, CodecErrorCode } from './errors.js';

/** Every prefix the node knows, with its alphabet and, where fixed, its payload size. */
export const ENCODINGS = {
  ak: { kind: 'base58', size: 32, name: 'account_pubkey' },
  ch: { kind: 'base58', size: 32, name: 'channel' },
  ct: { kind: 'base58', size: 32, name: 'contract_pubkey' },
  ok: { kind: 'base58', size: 32, name: 'oracle_pubkey' },
  oq: { kind: 'base58', size: 32, name: 'oracle_query_id' },
  th: { kind: 'base58', size: 32, name: 'tx_hash' },
  sg: { kind: 'base58', size: 64, name: 'signature' },
  kh: { kind: 'base58', size: 32, name: 'key_block_hash' },
  mh: { kind: 'base58', size: 32, name: 'micro_block_hash' },
  bf: { kind: 'base58', size: 32, name: 'block_pof_hash' },
  bx: { kind: 'base58', size: 32, name: 'block_tx_hash' },
  bs: { kind: 'base58', size: 32, name: 'block_state_hash' },
  cm: { kind: 'base58', size: 32, name: 'commitment' },
  pp: { kind: 'base58', size: 32, name: 'peer_pubkey' },
  nm: { kind: 'base58', size: undefined, name: 'name' },
  sk: { kind: 'base58', size: undefined, name: 'account_seckey' },
  tx: { kind: 'base64', size: undefined, name: 'transaction' },
  cb: { kind: 'base64', size: undefined, name: 'contract_bytearray' },
  ck: { kind: 'base64', size: undefined, name: 'contract_store_key' },
  cv: { kind: 'base64', size: undefined, name: 'contract_store_value' },
  st: { kind: 'base64', size: 32, name: 'state' },
  pi: { kind: 'base64', size: undefined, name: 'poi' },
  ss: { kind: 'base64', size: undefined, name: 'state_trees' },
  cs: { kind: 'base64', size: undefined, name: 'call_state_tree' },
  ba: { kind: 'base64', size: undefined, name: 'bytearray' },
  ov: { kind: 'base64', size: undefined, name: 'oracle_query' },
  or: { kind: 'base64', size: undefined, name: 'oracle_response' },
} as const satisfies Record<string, { kind: 'base58' | 'base64'; size: number | undefined; name: string }>;

export type Prefix = keyof typeof ENCODINGS;
/** An API-encoded string, typed by its prefix: `Encoded<'ak'>` is `` `ak_${string}` ``. */
export type Encoded<P extends Prefix = Prefix> = `${P}_${string}`;

export function isPrefix(p: string): p is Prefix {
  return Object.prototype.hasOwnProperty.call(ENCODINGS, p);
}

// Past two blocks node:crypto's SHA-256 wins over ours despite its call overhead (measured:
// 0.83M vs 0.69M hashes/s at 150 B); `tx_` payloads are usually that long.
const nativeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
  | { hash(algorithm: string, data: Uint8Array, encoding: 'buffer'): Uint8Array }
  | undefined;
const NATIVE_SHA256_FROM = 120;

function checksum(payload: Uint8Array): number {
  const first = nativeCrypto && payload.length >= NATIVE_SHA256_FROM ? nativeCrypto.hash('sha256', payload, 'buffer') : undefined;
  return checksumWord(payload, first);
}

// Buffer's base64 is ~2x (small) to ~20x (1 KiB) faster than a JS implementation (measured in
// engineering-anchors §2); browsers get @scure/base. Buffer is a global, so no Node import.
interface BufferLike {
  from(data: ArrayBufferLike, offset: number, length: number): { toString(enc: 'base64'): string };
  from(data: string, enc: 'base64'): Uint8Array;
  byteLength(data: string, enc: 'utf8'): number;
}
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

function toBase64(bytes: Uint8Array): string {
  return NodeBuffer ? NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64') : scureBase64.encode(bytes);
}

const BASE64_VALUE = new Int8Array(128);
for (let i = 0; i < 64; i++) BASE64_VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

/**
 * Whether `s`, which decoded to `length` bytes, is the one canonical padded base64 text of them
 * (the node's form), checked without encoding the bytes back (measured: re-encoding was a fifth of
 * `decode('tx_…')`). Buffer.from skips bad characters, stops at an inner '=', reads the low byte of
 * a non-Latin-1 character, and takes base64url's '-' and '_'; so, once the last two are excluded, it
 * decoded every character before the padding only if the length is exactly that of the text.
 * The bits the padding leaves unused must be zero: any value there decodes to the same bytes.
 */
function isCanonicalBase64(s: string, length: number): boolean {
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  if (s.length % 4 !== 0 || length !== (s.length / 4) * 3 - padding) return false;
  if (NodeBuffer && (s.includes('-') || s.includes('_') || NodeBuffer.byteLength(s, 'utf8') !== s.length)) return false;
  if (padding === 0) return true;
  const unusedBits = padding === 1 ? 0b11 : 0b1111;
  return (BASE64_VALUE[s.charCodeAt(s.length - padding - 1)]! & unusedBits) === 0;
}

function fromBase64(s: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = NodeBuffer ? NodeBuffer.from(s, 'base64') : scureBase64.decode(s);
  } catch (e) {
    throw new CodecError(CodecErrorCode.MALFORMED_ENCODING, 'invalid base64 payload', { cause: e });
  }
  if (!isCanonicalBase64(s, bytes.length)) throw new CodecError(CodecErrorCode.MALFORMED_ENCODING, 'invalid base64 payload (not canonical padded base64)');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function fromBase58(s: string): Uint8Array {
  try {
    return base58.decode(s);
  } catch (e) {
    throw new CodecError(CodecErrorCode.MALFORMED_ENCODING, 'invalid base58 payload', { cause: e });
  }
}

// Base58 with its checksum costs ~3 µs per key; the same few account and channel ids recur in
// every message of a channel, so fixed-size base58 strings are remembered both ways. (Not `st_`:
// a state hash is new each round, and a miss, with its key, costs more than it saves.)
const base58Strings = new BoundedCache<string>(4096);
const base58Payloads = new BoundedCache<Uint8Array>(4096);

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** `encode(pubkey, 'ak')` → `'ak_…'`. Checks the payload size for fixed-size prefixes. */
export function encode<P extends Prefix>(payload: Uint8Array, prefix: P): Encoded<P> {
  const spec = ENCODINGS[prefix];
  if (!spec) throw new CodecError(CodecErrorCode.UNKNOWN_PREFIX, `unknown prefix "${String(prefix)}"`);
  if (spec.size !== undefined && payload.length !== spec.size) {
    throw new CodecError(CodecErrorCode.BAD_LENGTH, `${prefix}_ payload must be ${spec.size} bytes, got ${payload.length}`);
  }
  if (spec.kind === 'base58' && spec.size !== undefined) {
    return base58Strings.get(prefix + latin1(payload), () => encodeUncached(payload, prefix)) as Encoded<P>;
  }
  return encodeUncached(payload, prefix);
}

function encodeUncached<P extends Prefix>(payload: Uint8Array, prefix: P): Encoded<P> {
  const spec = ENCODINGS[prefix];
  const data = new Uint8Array(payload.length + 4);
  data.set(payload);
  const sum = checksum(payload);
  const n = payload.length;
  data[n] = sum >>> 24;
  data[n + 1] = (sum >>> 16) & 0xff;
  data[n + 2] = (sum >>> 8) & 0xff;
  data[n + 3] = sum & 0xff;
  const body = spec.kind === 'base58' ? base58.encode(data) : toBase64(data);
  return `${prefix}_${body}` as Encoded<P>;
}

/** Splits `xx_…` into its prefix, rejecting unknown prefixes. */
export function prefixOf(value: string): Prefix {
  if (typeof value !== 'string') throw new CodecError(CodecErrorCode.MALFORMED_ENCODING, `expected an API-encoded string, got ${typeof value}`);
  const p = value.slice(0, 2);
  if (value[2] !== '_' || !isPrefix(p)) {
    throw new CodecError(CodecErrorCode.UNKNOWN_PREFIX, `"${value.slice(0, 12)}" does not start with a known "xx_" prefix`);
  }
  return p;
}

/**
 * `decode('ak_…', 'ak')` → the 32-byte payload. The prefix must be the expected one (or one of
 * them), the checksum must match, and fixed-size payloads must have their size.
 */
export function decode(value: string, expected?: Prefix | readonly Prefix[]): Uint8Array {
  const prefix = prefixOf(value);
  if (expected !== undefined) {
    const ok = typeof expected === 'string' ? prefix === expected : expected.includes(prefix);
    if (!ok) {
      const want = typeof expected === 'string' ? expected : expected.join('|');
      throw new CodecError(CodecErrorCode.PREFIX_MISMATCH, `expected a ${want}_ string, got ${prefix}_`);
    }
  }
  const spec = ENCODINGS[prefix];
  if (spec.kind === 'base58' && spec.size !== undefined) return base58Payloads.get(value, () => decodePayload(value, prefix)).slice();
  return decodePayload(value, prefix);
}

function decodePayload(value: string, prefix: Prefix): Uint8Array {
  const spec = ENCODINGS[prefix];
  const body = value.slice(3);
  const data = spec.kind === 'base58' ? fromBase58(body) : fromBase64(body);
  if (data.length < 4) throw new CodecError(CodecErrorCode.MALFORMED_ENCODING, `${prefix}_ string too short for its checksum`);
  const payload = data.subarray(0, data.length - 4);
  const n = payload.length;
  const stored = ((data[n]! << 24) | (data[n + 1]! << 16) | (data[n + 2]! << 8) | data[n + 3]!) >>> 0;
  if (checksum(payload) !== stored) throw new CodecError(CodecErrorCode.BAD_CHECKSUM, `${prefix}_ string has a bad checksum`);
  if (spec.size !== undefined && payload.length !== spec.size) {
    throw new CodecError(CodecErrorCode.BAD_LENGTH, `${prefix}_ payload must be ${spec.size} bytes, got ${payload.length}`);
  }
  return payload;
}
