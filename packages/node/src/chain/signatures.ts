/** Signature checks (aetx_sign.erl, protocol-facts §2), shared by the chain and the channel FSMs. */
import { buildTx, Tag, toHex, verifyTx, type Encoded } from '@ch/codec';
import { decoded, innerEncoded } from './decoded.js';
import { ChainErrorCode, check } from './errors.js';

type Verified = Map<Encoded<'tx'>, readonly Encoded<'ak'>[]>;

/**
 * The accounts whose signatures on an exact signed tx have been verified, per network. Each
 * signature comes back several times (the proposal the peer's FSM checks, the co-signed tx both
 * FSMs check, the chain's check of a submitted tx), and all of those run in this process:
 * verifying it once is enough, since whether a signature verifies is a fact of its bytes. Bounded,
 * oldest first out: an entry is needed only while its round is in flight, and a miss costs a
 * verification, never a different answer.
 */
const VERIFIED_LIMIT = 16_384;
const verifiedByNetwork = new Map<string, Verified>();

function verifiedOn(networkId: string): Verified {
  let verified = verifiedByNetwork.get(networkId);
  if (verified === undefined) verifiedByNetwork.set(networkId, (verified = new Map()));
  return verified;
}

function remember(verified: Verified, tx: Encoded<'tx'>, signers: readonly Encoded<'ak'>[]): void {
  const known = verified.get(tx);
  if (known === undefined && verified.size >= VERIFIED_LIMIT) verified.delete(verified.keys().next().value!);
  verified.set(tx, known === undefined ? signers : [...new Set([...known, ...signers])]);
}

const allIn = (signers: readonly Encoded<'ak'>[], accounts: readonly Encoded<'ak'>[]): boolean => accounts.every((account) => signers.includes(account));

/**
 * Which of `accounts` signed `tx` under `networkId`, in the raw or the hashed form (as verifyTx).
 * With `earlier`, a version of the same tx checked before (the proposal a co-signed tx grew from),
 * the signatures both carry count as verified for whom they were, and only the others are checked.
 * Throws if `tx` does not decode.
 */
export function signersOf(tx: Encoded<'tx'>, networkId: string, accounts: readonly Encoded<'ak'>[], earlier?: Encoded<'tx'>): readonly Encoded<'ak'>[] {
  const verified = verifiedOn(networkId);
  const known = verified.get(tx) ?? [];
  const rest = accounts.filter((account) => !known.includes(account));
  if (rest.length === 0) return accounts;
  const found = (earlier !== undefined && signedSince(tx, earlier, rest, networkId, verified)) || verifyTx(tx, networkId, rest).signers;
  if (found.length > 0) remember(verified, tx, found);
  return accounts.filter((account) => known.includes(account) || found.includes(account));
}

/**
 * The accounts of `accounts` that signed `tx`, checking only the signatures `earlier` lacks, if
 * `tx` wraps the same tx as `earlier`, keeps all its signatures and so proves all of `accounts`;
 * undefined otherwise (the caller then verifies `tx` in full, so the answer never depends on `earlier`).
 */
function signedSince(tx: Encoded<'tx'>, earlier: Encoded<'tx'>, accounts: readonly Encoded<'ak'>[], networkId: string, verified: Verified): readonly Encoded<'ak'>[] | undefined {
  const trusted = verified.get(earlier);
  if (trusted === undefined) return undefined;
  const now = decoded(tx).outer;
  const before = decoded(earlier).outer;
  if (now.tag !== Tag.SignedTx || before.tag !== Tag.SignedTx) return undefined;
  const old = new Set(before.signatures.map(toHex));
  const kept = now.signatures.filter((sig) => old.has(toHex(sig)));
  if (kept.length !== old.size || innerEncoded(tx) !== innerEncoded(earlier)) return undefined;
  const rest = accounts.filter((account) => !trusted.includes(account));
  const fresh = now.signatures.filter((sig) => !old.has(toHex(sig)));
  const signers = [...accounts.filter((account) => trusted.includes(account)), ...(rest.length > 0 ? verifyTx(buildTx({ ...now, signatures: fresh }), networkId, rest).signers : [])];
  return allIn(signers, accounts) ? signers : undefined;
}

/**
 * `verify_half_signed`: exactly one signature per signer, each by its signer under the chain's network
 * id, over the tx bytes or, from Lima on, their blake2b hash. A signature by anyone else fails the tx.
 */
export function requireSignatures(tx: Encoded<'tx'>, networkId: string, signers: readonly Encoded<'ak'>[], what: string): void {
  const found = signersOf(tx, networkId, signers);
  const missing = signers.filter((signer) => !found.includes(signer));
  check(missing.length === 0, ChainErrorCode.BAD_SIGNATURE, `${what} has no valid signature of ${missing.join(', ')} under network id "${networkId}"`);
  // Each signer verified a signature of its own (one signature never verifies for two accounts), so
  // as many signatures as signers means none is by anyone else.
  const outer = decoded(tx).outer;
  const count = outer.tag === Tag.SignedTx ? outer.signatures.length : 0;
  check(count === signers.length, ChainErrorCode.BAD_SIGNATURE, `${what} has ${count} signatures for ${signers.length} signers`);
}
