/**
 * The state hash over the six tree roots (`aec_trees:internal_hash`, protocol-facts §1.1):
 * blake2b256(uint64_be(1) ++ accounts ++ calls ++ channels ++ contracts ++ ns ++ oracles), an
 * empty tree counting as 32 zero bytes. Off-chain states, full tree dumps (`ss_`) and proofs
 * of inclusion (`pi_`) all hash this way.
 */
import { CodecError, CodecErrorCode } from '../errors.js';
import { blake2b256 } from '../hash.js';

export interface TreeRoots {
  accounts?: Uint8Array | undefined;
  calls?: Uint8Array | undefined;
  channels?: Uint8Array | undefined;
  contracts?: Uint8Array | undefined;
  ns?: Uint8Array | undefined;
  oracles?: Uint8Array | undefined;
}

/** The hash order, which differs from the `ss_` and `pi_` serialization orders. */
const HASH_ORDER = ['accounts', 'calls', 'channels', 'contracts', 'ns', 'oracles'] as const;
const VERSION = 1;

export function stateHashFromRoots(roots: TreeRoots): Uint8Array {
  const input = new Uint8Array(8 + 32 * HASH_ORDER.length);
  input[7] = VERSION;
  HASH_ORDER.forEach((name, i) => {
    const root = roots[name];
    if (root === undefined) return;
    if (root.length !== 32) throw new CodecError(CodecErrorCode.BAD_LENGTH, `${name} root must be 32 bytes, got ${root.length}`);
    input.set(root, 8 + 32 * i);
  });
  return blake2b256(input);
}
