/**
 * Signed txs decoded once: the FSMs of a channel and the chain read the same tx text several times
 * in a round (its kind, round and state hash; its signatures; its inner tx to compare two versions
 * by), and decoding is base64, a checksum and RLP each time. Entries are read-only for every
 * caller; bounded, oldest first out.
 */
import { buildTx, Tag, unpackTx, type Encoded, type Tx, type UnsignedTx } from '@ch/codec';

interface Decoded {
  readonly outer: Tx;
  readonly inner: UnsignedTx;
  /** The inner tx serialized again, once asked for. */
  encoded?: Encoded<'tx'>;
}

const LIMIT = 1024;
const decodedTxs = new Map<Encoded<'tx'>, Decoded>();

/** `tx` decoded (throws as unpackTx does); `inner` is the tx inside the signed-tx wrapper, or `tx` itself. */
export function decoded(tx: Encoded<'tx'>): Decoded {
  let entry = decodedTxs.get(tx);
  if (entry === undefined) {
    const outer = unpackTx(tx);
    entry = { outer, inner: outer.tag === Tag.SignedTx ? outer.encodedTx : (outer as UnsignedTx) };
    if (decodedTxs.size >= LIMIT) decodedTxs.delete(decodedTxs.keys().next().value!);
    decodedTxs.set(tx, entry);
  }
  return entry;
}

/** The inner tx serialized (as `buildTx(innerTx)`): two versions of a tx wrap the same tx if these are equal. */
export function innerEncoded(tx: Encoded<'tx'>): Encoded<'tx'> {
  const entry = decoded(tx);
  return (entry.encoded ??= buildTx(entry.inner));
}
