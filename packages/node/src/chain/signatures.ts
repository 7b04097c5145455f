/** Signature checks (aetx_sign.erl, protocol-facts §2). */
import { verifyTx, type Encoded } from '@ch/codec';
import { ChainErrorCode, check } from './errors.js';

/**
 * `verify_half_signed`: exactly one signature per signer, each by its signer under the chain's network
 * id, over the tx bytes or, from Lima on, their blake2b hash. A signature by anyone else fails the tx.
 */
export function requireSignatures(tx: Encoded<'tx'>, networkId: string, signers: readonly Encoded<'ak'>[], what: string): void {
  const verification = verifyTx(tx, networkId, signers);
  const missing = signers.filter((signer) => !verification.signers.includes(signer));
  check(missing.length === 0, ChainErrorCode.BAD_SIGNATURE, `${what} has no valid signature of ${missing.join(', ')} under network id "${networkId}"`);
  check(
    verification.signatures.length === signers.length,
    ChainErrorCode.BAD_SIGNATURE,
    `${what} has ${verification.signatures.length} signatures for ${signers.length} signers`,
  );
}
