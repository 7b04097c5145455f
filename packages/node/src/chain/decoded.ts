/**
 * Signed txs decoded once: the FSMs of a channel and the chain read the same tx text several times
 * in a round (its kind, round and state hash; its signatures; its inner tx to compare two versions
 * by), and decoding is base64, a checksum and RLP each time. Entries are read-only for every
 * caller; bounded.
 */
import { BoundedCache, buildTx, Tag, unpackTx, type Encoded, type Tx, type UnsignedTx } from '@ch/codec';

interface Decoded {
  readonly outer: Tx;
  readonly inner: UnsignedTx;
  /** The inner tx serialized again, once asked for. */
  encoded?: Encoded<'tx'>;
}

const decodedTxs = new BoundedCache<Decoded>(1024);

/** `tx` decoded (throws as unpackTx does); `inner` is the tx inside the signed-tx wrapper, or `tx` itself. */
export function decoded(tx: Encoded<'tx'>): Decoded {
  return decodedTxs.get(tx, () => {
    const outer = unpackTx(tx);
    return { outer, inner: outer.tag === Tag.SignedTx ? outer.encodedTx : (outer as UnsignedTx) };
  });
}

/** The inner tx serialized (as `buildTx(innerTx)`): two versions of a tx wrap the same tx if these are equal. */
export function innerEncoded(tx: Encoded<'tx'>): Encoded<'tx'> {
  const entry = decoded(tx);
  return (entry.encoded ??= buildTx(entry.inner));
}
