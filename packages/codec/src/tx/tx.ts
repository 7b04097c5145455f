/** `tx_` strings: the API form of a serialized transaction, usually a signed tx. */
import { decode, encode, type Encoded } from '../encoding.js';
import { deserializeOneOf, serializeOneOf } from './object.js';
import type { ObjectOf, Tx } from './schema.js';
import { onlyTag, TX_TAGS, type TxTag } from './tags.js';

/**
 * `tx_…` → the decoded transaction, nested signed txs included. With `tag`, also checks that the
 * string holds that kind of transaction and narrows the type: `unpackTx(s, Tag.SignedTx)`.
 */
export function unpackTx(tx: Encoded<'tx'>): Tx;
export function unpackTx<T extends TxTag>(tx: Encoded<'tx'>, tag: T): ObjectOf<T>;
export function unpackTx(tx: Encoded<'tx'>, tag?: TxTag): unknown {
  return deserializeOneOf(decode(tx, 'tx'), tag === undefined ? TX_TAGS : onlyTag(tag));
}

/** A transaction object → `tx_…`. The inverse of `unpackTx`: `buildTx(unpackTx(s)) === s`. */
export function buildTx(tx: Tx): Encoded<'tx'> {
  return encode(serializeOneOf(tx, TX_TAGS), 'tx');
}
