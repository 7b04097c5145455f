/**
 * Field codecs: one per kind of field in aeser serialization templates (int, id, binary, lists),
 * plus the kinds whose bytes hold another serialized object. Each is built once when the module
 * loads; decoding a field is one method call with no allocation besides the value itself.
 */
import { decode, encode, type Encoded } from '../encoding.js';
import { CodecError, CodecErrorCode, withPath } from '../errors.js';
import { compareBytes } from '../bytes.js';
import { decodeId, encodeId, type IdPrefix } from '../id.js';
import { asBytes, asList, decodeInt, encodeInt, type RlpItem } from '../rlp.js';
import { SIGNED_TX_TAGS, UNSIGNED_TX_TAGS, UPDATE_TAGS } from './tags.js';

/** What nested-object fields call back into; passed in, so this module does not import the registry. */
export interface ObjectSerializer {
  deserialize(bytes: Uint8Array, allowed: ReadonlySet<number>): unknown;
  serialize(value: unknown, allowed: ReadonlySet<number>): Uint8Array;
}

export interface FieldCodec<T> {
  /** RLP item → value. Throws CodecError; the caller adds the field name to its path. */
  decode(item: RlpItem, objects: ObjectSerializer): T;
  /** Checks an input value of unknown shape and turns it into its RLP item. */
  encode(value: unknown, objects: ObjectSerializer): RlpItem;
}

declare const NESTED: unique symbol;
/**
 * Type-level stand-in for a decoded nested object. The object types are derived from the schema,
 * which is built from these codecs, so schema.ts resolves the stand-in to keep the types acyclic.
 */
export interface Nested<K extends 'signedTx' | 'unsignedTx' | 'update'> {
  readonly [NESTED]: K;
}

/** Re-throws `e` with `segment` prepended to its path. */
export function rethrowAt(segment: string, e: unknown): never {
  return withPath(segment, () => {
    throw e;
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'Uint8Array';
  return Array.isArray(value) ? 'array' : typeof value;
}

function badField(expected: string, value: unknown): CodecError {
  return new CodecError(CodecErrorCode.BAD_FIELD, `expected ${expected}, got ${describe(value)}`);
}

function inputString(value: unknown): string {
  if (typeof value !== 'string') throw badField('an API-encoded string', value);
  return value;
}

function inputArray(value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw badField('an array', value);
  return value;
}

/** Applies `one` to each element, naming the element's index in any error. */
function mapEach<T, R>(items: readonly T[], one: (item: T, objects: ObjectSerializer) => R, objects: ObjectSerializer): R[] {
  const out = new Array<R>(items.length);
  for (let i = 0; i < items.length; i++) {
    try {
      out[i] = one(items[i]!, objects);
    } catch (e) {
      rethrowAt(String(i), e);
    }
  }
  return out;
}

export const int: FieldCodec<bigint> = {
  decode: (item) => decodeInt(asBytes(item)),
  encode: (value) => {
    if (typeof value !== 'bigint') throw badField('a bigint', value);
    return encodeInt(value);
  },
};

/** Binary fields are copied out, so decoded values never alias the caller's buffer. */
export const binary: FieldCodec<Uint8Array> = {
  decode: (item) => asBytes(item).slice(),
  encode: (value) => {
    if (!(value instanceof Uint8Array)) throw badField('a Uint8Array', value);
    return value;
  },
};

export function id<P extends IdPrefix>(...allowed: P[]): FieldCodec<Encoded<P>> {
  return {
    decode: (item) => decodeId(asBytes(item), allowed),
    encode: (value) => encodeId(inputString(value), allowed),
  };
}

/**
 * A binary field shown as an API string: fixed-size hashes (`st_`), or opaque
 * serialized structures passed through whole (`pi_` proofs, `ss_` state trees).
 */
export function apiString<P extends 'st' | 'pi' | 'ss'>(prefix: P): FieldCodec<Encoded<P>> {
  return {
    decode: (item) => encode(asBytes(item), prefix),
    encode: (value) => decode(inputString(value), prefix),
  };
}

export function listOf<T>(element: FieldCodec<T>): FieldCodec<T[]> {
  return {
    decode: (item, objects) => mapEach(asList(item), element.decode, objects),
    encode: (value, objects) => mapEach(inputArray(value), element.encode, objects),
  };
}

/** Ed25519 signatures: 64 raw bytes each (as aepp-sdk-js has them), so decoding costs no base58. */
const signature: FieldCodec<Uint8Array> = {
  decode: (item) => {
    const bytes = asBytes(item);
    if (bytes.length !== 64) throw new CodecError(CodecErrorCode.BAD_LENGTH, `a signature is 64 bytes, got ${bytes.length}`);
    return bytes.slice();
  },
  encode: (value) => {
    if (!(value instanceof Uint8Array) || value.length !== 64) throw badField('a 64-byte Uint8Array signature', value);
    return value;
  },
};
const signatureList = listOf(signature);

/** Written sorted bytewise, as the node's `aetx_sign:serialize_to_binary` does (`lists:sort`). */
export const signatures: FieldCodec<Uint8Array[]> = {
  decode: signatureList.decode,
  encode: (value, objects) => (signatureList.encode(value, objects) as Uint8Array[]).sort(compareBytes),
};

function nested<T>(allowed: ReadonlySet<number>): FieldCodec<T> {
  return {
    decode: (item, objects) => objects.deserialize(asBytes(item), allowed) as T,
    encode: (value, objects) => objects.serialize(value, allowed),
  };
}

export const signedTx = nested<Nested<'signedTx'>>(SIGNED_TX_TAGS);
export const unsignedTx = nested<Nested<'unsignedTx'>>(UNSIGNED_TX_TAGS);
export const update = nested<Nested<'update'>>(UPDATE_TAGS);

const EMPTY = new Uint8Array(0);

/** A co-signed off-chain state, or empty (`null`; `undefined` builds the same) for "the last state on chain". */
export const payload: FieldCodec<Nested<'signedTx'> | null> = {
  decode: (item, objects) => {
    const bytes = asBytes(item);
    return bytes.length === 0 ? null : signedTx.decode(bytes, objects);
  },
  encode: (value, objects) => (value == null ? EMPTY : signedTx.encode(value, objects)),
};
