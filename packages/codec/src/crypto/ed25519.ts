/**
 * The one Ed25519 interface of the codec, and the acceptance rules every backend applies.
 *
 * The node verifies with libsodium's `crypto_sign_verify_detached` (enacl). OpenSSL (node:crypto)
 * and noble each accept signatures libsodium rejects, so both backends run `passesLibsodiumChecks`
 * first and then libsodium's cofactorless equation, which makes them agree on every input.
 */
import { CodecError, CodecErrorCode } from '../errors.js';
import { bytesEqual } from '../bytes.js';

export interface Ed25519 {
  /** `'native'` (node:crypto) or `'noble'` (@noble/ed25519); for diagnostics and benchmarks. */
  readonly name: string;
  /** Detached 64-byte signature. `secretKey`: 32-byte seed, or 64-byte seed ++ public key (`sk_`). */
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** Never throws: malformed input (wrong lengths, bad points) is simply not a valid signature. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** The 32-byte public key of a 32- or 64-byte secret key. */
  publicKey(secretKey: Uint8Array): Uint8Array;
}

/** The 32-byte seed of a secret key; aeternity `sk_` keys are seed ++ public key. */
export function seedOf(secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== 32 && secretKey.length !== 64) {
    throw new CodecError(CodecErrorCode.BAD_KEY, `secret key must be 32 or 64 bytes, got ${secretKey.length}`);
  }
  return secretKey.subarray(0, 32);
}

/**
 * libsodium hashes the public key half of a 64-byte secret key into every signature, so a key whose
 * halves disagree would sign differently there; reject it instead of silently signing.
 */
export function checkKeyHalves(secretKey: Uint8Array, derivedPublicKey: Uint8Array): void {
  if (secretKey.length === 64 && !bytesEqual(secretKey.subarray(32), derivedPublicKey)) {
    throw new CodecError(CodecErrorCode.BAD_KEY, 'secret key: its last 32 bytes are not the public key of its seed');
  }
}

const P = 2n ** 255n - 19n;
/** The prime order of the base point. */
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;

/**
 * y-coordinates of every point of small order, ignoring the sign bit: 1 (order 1), p−1 (2), 0 (4),
 * the two roots of d·y⁴ + 2y² − 1 = 0 (order 8), and the non-canonical p (= 0) and p+1 (= 1). This
 * is the set libsodium's `ge25519_has_small_order` blocks.
 */
const SMALL_ORDER_Y = new Set([
  0n,
  1n,
  P - 1n,
  P,
  P + 1n,
  0x05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n,
  0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n,
]);

export function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** The y-coordinate a 32-byte point encoding carries (bit 255 is the sign of x). */
function encodedY(point: Uint8Array): bigint {
  return littleEndian(point) & ((1n << 255n) - 1n);
}

// The low byte of a blocked encoding is one of seven values: a cheap exit before any bigint work.
const SMALL_ORDER_LOW_BYTES = new Set([...SMALL_ORDER_Y].map((y) => Number(y & 0xffn)));

function hasSmallOrder(point: Uint8Array): boolean {
  return SMALL_ORDER_LOW_BYTES.has(point[0]!) && SMALL_ORDER_Y.has(encodedY(point));
}

/**
 * What libsodium checks before the group equation: 64-byte signature and 32-byte key, S < L,
 * R not of small order, public key canonical (y < p) and not of small order. The byte tests in
 * front of each bigint comparison settle almost every real input (S < 2^252 < L; y < 2^255 − 2^248).
 */
export function passesLibsodiumChecks(signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  if (signature[63]! >= 0x10 && littleEndian(signature.subarray(32)) >= L) return false;
  if (hasSmallOrder(signature.subarray(0, 32))) return false;
  if ((publicKey[31]! & 0x7f) === 0x7f && encodedY(publicKey) >= P) return false;
  return !hasSmallOrder(publicKey);
}
