/**
 * What a signed tx is made of, for comparing txs by what was signed rather than by who signed it
 * (a recorded signature and ours may differ only in which signatures are present), and for telling
 * which network id a transcript's signatures were made with.
 */
import { asBytes, asList, decode, encodeInt, bytesEqual, rlpDecode, toHex, Tag, verifyTx, type Encoded } from '@ch/codec';

const SIGNED_TX_TAG = encodeInt(BigInt(Tag.SignedTx));

/** The serialized transaction inside a signed tx (a bare tx is its own), and the signatures over it. */
export function signedParts(tx: string): { inner: Uint8Array; signatures: number } {
  const bytes = decode(tx, 'tx');
  const item = rlpDecode(bytes);
  if (Array.isArray(item) && item.length === 4 && bytesEqual(asBytes(item[0]!), SIGNED_TX_TAG)) {
    return { inner: asBytes(item[3]!), signatures: asList(item[2]!).length };
  }
  return { inner: bytes, signatures: 0 };
}

/** A key naming the transaction a (signed) tx carries, whoever signed it. */
export function innerKey(tx: string): string {
  return toHex(signedParts(tx).inner);
}

/**
 * The network ids of the recorded example logs (protocol-facts §2): 2019 and Jan 2020 Lima, later
 * Iris; and `ae_sctest`, the dev-mode node the real-node recordings (transcripts/real-node) ran on.
 */
export const KNOWN_NETWORK_IDS = ['local_iris_testnet', 'local_lima_testnet', 'ae_sctest'] as const;

/**
 * The network id whose signatures verify with one of `accounts`: tried on the first signed txs of
 * the transcript. Undefined when nothing in it is signed.
 */
export function networkIdOf(txs: readonly string[], accounts: readonly Encoded<'ak'>[]): string | undefined {
  for (const tx of txs) {
    if (signedParts(tx).signatures === 0) continue;
    for (const networkId of KNOWN_NETWORK_IDS) {
      if (verifyTx(tx as Encoded<'tx'>, networkId, accounts).signers.length > 0) return networkId;
    }
  }
  return undefined;
}
