/**
 * Ids and the identifiers derived from keys and transactions.
 *
 * In serialized objects an id is 33 bytes: a tag byte naming what the key belongs to, then the
 * 32-byte key (aeser_id). The API shows the same id as `ak_…`, `ch_…`, and so on.
 */
import { concatBytes } from './bytes.js';
import { decode, encode, prefixOf, type Encoded } from './encoding.js';
import { CodecError, CodecErrorCode, withPath } from './errors.js';
import { blake2b256 } from './hash.js';
import { encodeInt } from './rlp.js';

/** The tag byte of each kind of id. */
export const ID_TAGS = { ak: 1, nm: 2, cm: 3, ok: 4, ct: 5, ch: 6 } as const;
export type IdPrefix = keyof typeof ID_TAGS;

const PREFIX_OF_TAG: readonly (IdPrefix | undefined)[] = [undefined, 'ak', 'nm', 'cm', 'ok', 'ct', 'ch'];
const KEY_SIZE = 32;

function isAllowed(prefix: IdPrefix, allowed: IdPrefix | readonly IdPrefix[] | undefined): boolean {
  if (allowed === undefined) return true;
  return typeof allowed === 'string' ? prefix === allowed : allowed.includes(prefix);
}

function badId(message: string): CodecError {
  return new CodecError(CodecErrorCode.BAD_ID, message);
}

/** `encodeId('ak_…')` → the 33-byte id. `allowed` restricts the kind (a wrong one is BAD_ID). */
export function encodeId(id: string, allowed?: IdPrefix | readonly IdPrefix[]): Uint8Array {
  const prefix = prefixOf(id);
  const tag = (ID_TAGS as Record<string, number | undefined>)[prefix];
  if (tag === undefined) throw badId(`${prefix}_ is not an id`);
  if (!isAllowed(prefix as IdPrefix, allowed)) throw badId(`expected a ${[allowed].flat().join('|')}_ id, got ${prefix}_`);
  const key = decode(id, prefix);
  // nm_ has no fixed size as an API string, but as an id it is a 32-byte name hash.
  if (key.length !== KEY_SIZE) throw badId(`an id holds ${KEY_SIZE} bytes, ${prefix}_ string has ${key.length}`);
  const out = new Uint8Array(1 + KEY_SIZE);
  out[0] = tag;
  out.set(key, 1);
  return out;
}

/** The 33-byte id → `'ak_…'`. `allowed` restricts the kind (a wrong one is BAD_ID). */
export function decodeId<P extends IdPrefix = IdPrefix>(bytes: Uint8Array, allowed?: P | readonly P[]): Encoded<P> {
  if (bytes.length !== 1 + KEY_SIZE) throw badId(`an id is ${1 + KEY_SIZE} bytes, got ${bytes.length}`);
  const prefix = PREFIX_OF_TAG[bytes[0]!];
  if (prefix === undefined) throw badId(`unknown id tag ${bytes[0]}`);
  if (!isAllowed(prefix, allowed)) throw badId(`expected a ${[allowed].flat().join('|')}_ id, got ${prefix}_`);
  return encode(bytes.subarray(1), prefix) as Encoded<P>;
}

function uint256(value: bigint): Uint8Array {
  const minimal = encodeInt(value);
  if (minimal.length > 32) throw new CodecError(CodecErrorCode.BAD_FIELD, 'nonce does not fit in 256 bits');
  const out = new Uint8Array(32);
  out.set(minimal, 32 - minimal.length);
  return out;
}

/**
 * The channel id: blake2b(initiator ++ uint256_be(nonce) ++ responder), where nonce is the create
 * tx's nonce. A generalized-account initiator creates with nonce 0, and the node then uses the
 * 32-byte auth id of the initiator's GA meta tx in the nonce's place (see `gaAuthId`).
 */
export function channelId(initiator: Encoded<'ak'>, nonceOrAuthId: bigint | Uint8Array, responder: Encoded<'ak'>): Encoded<'ch'> {
  const initiatorKey = withPath('initiator', () => decode(initiator, 'ak'));
  const responderKey = withPath('responder', () => decode(responder, 'ak'));
  const middle = withPath('nonce', () => {
    if (typeof nonceOrAuthId === 'bigint') return uint256(nonceOrAuthId);
    if (nonceOrAuthId.length !== 32) throw new CodecError(CodecErrorCode.BAD_LENGTH, `auth id must be 32 bytes, got ${nonceOrAuthId.length}`);
    return nonceOrAuthId;
  });
  return encode(blake2b256(concatBytes(initiatorKey, middle, responderKey)), 'ch');
}

/** The auth id of a GA meta tx: blake2b(ga_pubkey ++ auth_data) (aega_meta_tx:auth_id/2). */
export function gaAuthId(gaId: Encoded<'ak'>, authData: Uint8Array): Uint8Array {
  const key = withPath('gaId', () => decode(gaId, 'ak'));
  return blake2b256(concatBytes(key, authData));
}

/** `th_` hash of a serialized signed tx: blake2b of its bytes. */
export function txHash(tx: Encoded<'tx'>): Encoded<'th'> {
  return encode(blake2b256(decode(tx, 'tx')), 'th');
}
