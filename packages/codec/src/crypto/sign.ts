/**
 * Transaction signatures as the node checks them (protocol-facts §2): signed_tx is
 * rlp([11, 1, [sig…], tx_bytes]) with signatures sorted bytewise, and each signature covers
 * network_id ++ tx_bytes or, from Lima on, network_id ++ blake2b256(tx_bytes). The wrapper itself
 * is never signed.
 */
import { compareBytes, bytesEqual, concatBytes, utf8 } from '../bytes.js';
import { CodecError, CodecErrorCode } from '../errors.js';
import { decode, encode, type Encoded } from '../encoding.js';
import { blake2b256 } from '../hash.js';
import { asBytes, asList, rlpDecode } from '../rlp.js';
import { chainObject, readChainObject, tagOf } from '../state/chain-object.js';
import type { Ed25519 } from './ed25519.js';
import { defaultEd25519 } from './keys.js';

const SIGNED_TX = { tag: 11, vsn: 1, fields: 2, name: 'signed_tx' };

interface SignedTx {
  signatures: Uint8Array[];
  /** The serialized inner transaction: what the signatures cover. */
  tx: Uint8Array;
}

/** A signed_tx's parts; any other transaction counts as signed by nobody. */
function unpackSignedTx(tx: Encoded<'tx'> | Uint8Array): SignedTx {
  const bytes = typeof tx === 'string' ? decode(tx, 'tx') : tx;
  const item = rlpDecode(bytes);
  if (tagOf(item) !== SIGNED_TX.tag) return { signatures: [], tx: bytes };
  const [signatures, inner] = readChainObject(asList(item, SIGNED_TX.name), SIGNED_TX);
  return {
    signatures: asList(signatures!, 'signed_tx.signatures').map((s, i) => {
      const sig = asBytes(s, `signed_tx.signatures.${i}`);
      if (sig.length !== 64) throw new CodecError(CodecErrorCode.BAD_LENGTH, `signature must be 64 bytes, got ${sig.length}`, { path: `signed_tx.signatures.${i}` });
      return sig;
    }),
    tx: asBytes(inner!, 'signed_tx.transaction'),
  };
}

function signedMessage(networkId: string, tx: Uint8Array, hashed: boolean): Uint8Array {
  return concatBytes(utf8(networkId), hashed ? blake2b256(tx) : tx);
}

export interface SignTxOptions {
  /** Sign network_id ++ blake2b256(tx) (accepted from Lima on) instead of network_id ++ tx. */
  hashed?: boolean;
  backend?: Ed25519;
}

/**
 * Adds a signature to `tx` (wrapping it in a signed_tx if it is not one) and returns the signed_tx
 * with its signatures sorted bytewise, as the node serializes it. Signing twice with the same key
 * and form returns the tx unchanged: Ed25519 signatures are deterministic.
 */
export function signTx(tx: Encoded<'tx'>, secretKey: Uint8Array, networkId: string, options: SignTxOptions = {}): Encoded<'tx'> {
  const { hashed = false, backend = defaultEd25519 } = options;
  const signed = unpackSignedTx(tx);
  const signature = backend.sign(signedMessage(networkId, signed.tx, hashed), secretKey);
  if (signed.signatures.some((s) => bytesEqual(s, signature))) return tx;
  const signatures = [...signed.signatures, signature].sort(compareBytes);
  return encode(chainObject(SIGNED_TX.tag, SIGNED_TX.vsn, [signatures, signed.tx]), 'tx');
}

export interface SignatureCheck {
  signature: Uint8Array;
  /** The account whose key verifies it, or undefined if none of the given accounts does. */
  signer: Encoded<'ak'> | undefined;
  /** Whether it signs blake2b256(tx) (Lima+ form) rather than the tx bytes; undefined if unverified. */
  hashed: boolean | undefined;
}

export interface TxVerification {
  /** One entry per signature, in the signed_tx's order. */
  signatures: SignatureCheck[];
  /** The accounts that verified a signature, in signature order. */
  signers: Encoded<'ak'>[];
}

/**
 * Which of `accounts` signed `tx` under `networkId`, and in which form. `tx` is a `tx_` string or
 * the serialized signed tx (e.g. `serializeObject` of a decoded payload, saving a base64 round).
 * Accounts that have not yet matched a signature are tried first, so the usual
 * one-signature-per-account case costs one verification per signature.
 */
export function verifyTx(
  tx: Encoded<'tx'> | Uint8Array,
  networkId: string,
  accounts: readonly Encoded<'ak'>[],
  options: { backend?: Ed25519 } = {},
): TxVerification {
  const { backend = defaultEd25519 } = options;
  const signed = unpackSignedTx(tx);
  const keys = accounts.map((account) => ({ account, publicKey: decode(account, 'ak'), matched: false }));
  const raw = signedMessage(networkId, signed.tx, false);
  let hashedMessage: Uint8Array | undefined;

  const signatures = signed.signatures.map((signature): SignatureCheck => {
    const candidates = [...keys.filter((k) => !k.matched), ...keys.filter((k) => k.matched)];
    for (const candidate of candidates) {
      let hashed = false;
      if (!backend.verify(signature, raw, candidate.publicKey)) {
        hashedMessage ??= signedMessage(networkId, signed.tx, true);
        if (!backend.verify(signature, hashedMessage, candidate.publicKey)) continue;
        hashed = true;
      }
      candidate.matched = true;
      return { signature, signer: candidate.account, hashed };
    }
    return { signature, signer: undefined, hashed: undefined };
  });
  return { signatures, signers: signatures.flatMap((s) => (s.signer ? [s.signer] : [])) };
}
