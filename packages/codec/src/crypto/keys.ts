/** Backend choice and account key pairs. */
import { concatBytes } from '../bytes.js';
import { encode, type Encoded } from '../encoding.js';
import { seedOf, type Ed25519 } from './ed25519.js';
import { nativeEd25519 } from './ed25519-native.js';
import { nobleEd25519 } from './ed25519-noble.js';

/** node:crypto where it exists (much faster), noble elsewhere. Both accept exactly the same signatures. */
export const defaultEd25519: Ed25519 = nativeEd25519 ?? nobleEd25519;

export interface KeyPair {
  publicKey: Encoded<'ak'>;
  /** 64 bytes, seed ++ public key, as in the node's `sk_` keys. */
  secretKey: Uint8Array;
}

/** Accepts a 32-byte seed or a 64-byte seed ++ public key (whose halves must agree). */
export function keyPairFromSecret(secretKey: Uint8Array, backend: Ed25519 = defaultEd25519): KeyPair {
  const publicKey = backend.publicKey(secretKey);
  return { publicKey: encode(publicKey, 'ak'), secretKey: concatBytes(seedOf(secretKey), publicKey) };
}

/** A fresh key pair from the platform CSPRNG (Web Crypto, present in Node >= 20 and browsers). */
export function generateKeyPair(backend: Ed25519 = defaultEd25519): KeyPair {
  return keyPairFromSecret(globalThis.crypto.getRandomValues(new Uint8Array(32)), backend);
}
