/** Dispatch of a signed tx to its family's validator, after the checks every tx shares. */
import { isCodecError, Tag, tagName, txHash, unpackTx, type Encoded, type ObjectOf, type SignedTx } from '@ch/codec';
import { useNonce } from '../accounts.js';
import { ChainError, ChainErrorCode, check } from '../errors.js';
import { checkFee } from '../fees.js';
import { requireSignatures } from '../signatures.js';
import { closeMutual, settle } from './closing.js';
import { create } from './create.js';
import { deposit, withdraw } from './funding.js';
import { isOnChainTx, type OnChainTag, type OnChainTx } from './kinds.js';
import { closeSolo, slash, snapshotSolo } from './solo.js';
import { spend } from './spend.js';
import type { TxEnv, Validator } from './validator.js';

const VALIDATORS: { readonly [T in OnChainTag]: Validator<ObjectOf<T>> } = {
  [Tag.SpendTx]: spend,
  [Tag.ChannelCreateTx]: create,
  [Tag.ChannelDepositTx]: deposit,
  [Tag.ChannelWithdrawTx]: withdraw,
  [Tag.ChannelCloseMutualTx]: closeMutual,
  [Tag.ChannelCloseSoloTx]: closeSolo,
  [Tag.ChannelSlashTx]: slash,
  [Tag.ChannelSettleTx]: settle,
  [Tag.ChannelSnapshotSoloTx]: snapshotSolo,
};

/** A submitted tx, decoded. */
export interface Submission {
  readonly tx: Encoded<'tx'>;
  readonly txHash: Encoded<'th'>;
  readonly signedTx: SignedTx;
}

export function readSubmission(tx: Encoded<'tx'>): Submission {
  try {
    return { tx, txHash: txHash(tx), signedTx: unpackTx(tx, Tag.SignedTx) };
  } catch (e) {
    if (isCodecError(e)) throw new ChainError(ChainErrorCode.MALFORMED_TX, `not a signed tx: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Checks a tx as the node's mempool and block validation do, in their order (signatures, nonce, fee,
 * ttl, then the tx's own rules), and applies it to `env.ledger`. Throws ChainError; the ledger is
 * then half-changed, so `env.ledger` must be a fork to drop.
 */
export function applyTx({ tx, signedTx }: Submission, env: TxEnv & { readonly minGasPrice: bigint }): void {
  const inner = signedTx.encodedTx;
  if (inner.tag === Tag.GaMetaTx) throw new ChainError(ChainErrorCode.UNSUPPORTED, 'generalized accounts need contracts, which this chain does not run');
  if (!isOnChainTx(inner)) throw new ChainError(ChainErrorCode.UNSUPPORTED, `this chain does not run ${tagName(inner.tag)}`);
  const validator = VALIDATORS[inner.tag] as Validator<OnChainTx>;
  requireSignatures(tx, env.networkId, validator.signers(inner, env.ledger), `the ${tagName(inner.tag)}`);
  useNonce(env.ledger, validator.origin(inner), inner.nonce);
  checkFee(inner, env.minGasPrice);
  check(inner.ttl === 0n || inner.ttl >= env.height, ChainErrorCode.TX_EXPIRED, `ttl ${inner.ttl} is below the next block's height ${env.height}`);
  validator.apply(inner, env);
}
