/**
 * Portable Ed25519 on @noble/ed25519: pure JS, runs in browsers, about 2.9k signs and 500 verifies
 * a second (engineering-anchors §2).
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesEqual, concatBytes } from '../bytes.js';
import { L, checkKeyHalves, littleEndian, passesLibsodiumChecks, seedOf, type Ed25519 } from './ed25519.js';

// noble v3 reads its synchronous SHA-512 from here.
ed.hashes.sha512 = sha512;

/**
 * libsodium's equation, encode([S]B − [k]A) == R. noble's own `verify(…, { zip215: false })` checks
 * the cofactored [8]R == [8]([S]B − [k]A) instead, which also accepts an R with a small-order
 * component that libsodium and OpenSSL reject; computing the cofactorless form keeps the backends equal.
 */
function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!passesLibsodiumChecks(signature, publicKey)) return false;
  let a: ed.Point;
  try {
    a = ed.Point.fromBytes(publicKey);
  } catch {
    return false; // not a point on the curve
  }
  const r = signature.subarray(0, 32);
  const k = littleEndian(sha512(concatBytes(r, publicKey, message))) % L;
  const s = littleEndian(signature.subarray(32));
  const expected = ed.Point.BASE.multiply(s, false).subtract(a.multiply(k, false));
  return bytesEqual(expected.toBytes(), r);
}

function publicKey(secretKey: Uint8Array): Uint8Array {
  const pk = ed.getPublicKey(seedOf(secretKey));
  checkKeyHalves(secretKey, pk);
  return pk;
}

export const nobleEd25519: Ed25519 = {
  name: 'noble',
  sign(message, secretKey) {
    const seed = seedOf(secretKey);
    if (secretKey.length === 64) checkKeyHalves(secretKey, ed.getPublicKey(seed));
    return ed.sign(message, seed);
  },
  verify,
  publicKey,
};
