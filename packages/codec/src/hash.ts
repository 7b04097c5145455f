/**
 * BLAKE2b-256 as the node uses it (`aec_hash:hash/2`, unkeyed, 32-byte digest). Node's own
 * `blake2b512` cannot be truncated to it (the digest length is in the parameter block).
 */
import { blake2b } from '@noble/hashes/blake2.js';

export function blake2b256(data: Uint8Array): Uint8Array {
  return blake2b(data, { dkLen: 32 });
}
