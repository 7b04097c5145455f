/**
 * What the FSMs need from the chain (packages/node/src/chain): nonces and fees for the txs they
 * build, submitting co-signed txs, and being told when a tx is in a block and deep enough.
 */
import type { Encoded } from '@ch/codec';

export interface ChainAccess {
  readonly networkId: string;
  /** Whether the account exists on chain (participants must: sc_ws_handler `participant_not_found`). */
  hasAccount(account: Encoded<'ak'>): boolean;
  nextNonce(account: Encoded<'ak'>): bigint;
  /** The smallest fee the node accepts for `tx` (an unsigned or signed tx). */
  minFee(tx: Encoded<'tx'>): bigint;
  /** Puts a signed tx in the mempool; throws if the chain refuses it. */
  submit(tx: Encoded<'tx'>): Encoded<'th'>;
  /** Resolves once `txHash` is `depth` blocks deep (1: in the top block). */
  waitForDepth(txHash: Encoded<'th'>, depth: number): Promise<void>;
}
