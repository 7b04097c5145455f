/**
 * A tx's signatures and the serialized transaction they cover, decoded once per tx text: a round
 * reads the same txs several times (the request, our signed version of it, the co-signed state the
 * node reports, and the latest state they are compared with), and decoding is base64, a checksum
 * and RLP each time. Keyed by the exact text, so an entry is only ever what that text decodes to;
 * it holds no verdict on the signatures, which are verified again on every check. Entries are
 * shared and read-only to every caller; bounded.
 */
import { asBytes, asList, BoundedCache, bytesEqual, decode, encodeInt, rlpDecode, Tag, type Encoded } from '@ch/codec';

export interface SignedParts {
  /** The tx as decoded from its text: a signed_tx, or a bare tx. */
  readonly bytes: Uint8Array;
  /** None for a bare tx. */
  readonly signatures: readonly Uint8Array[];
  /** The serialized transaction the signatures cover (the bare tx itself if unsigned). */
  readonly tx: Uint8Array;
}

/** The txs of a few dozen rounds: enough for each channel's round in a process with some channels busy at once. */
const decodedTxs = new BoundedCache<SignedParts>(128);

export const SIGNED_TX = { tag: encodeInt(BigInt(Tag.SignedTx)), vsn: encodeInt(1n) };

/** `tx`'s parts (throws if it does not decode). Read straight from the RLP: the checks need no decoded objects. */
export function signedParts(tx: Encoded<'tx'>): SignedParts {
  return decodedTxs.get(tx, () => {
    const bytes = decode(tx, 'tx');
    const item = rlpDecode(bytes);
    const signed = Array.isArray(item) && item.length === 4 && bytesEqual(asBytes(item[0]!), SIGNED_TX.tag);
    return signed ? { bytes, signatures: asList(item[2]!).map((s) => asBytes(s)), tx: asBytes(item[3]!) } : { bytes, signatures: [], tx: bytes };
  });
}
