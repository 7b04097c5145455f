/**
 * What the FSMs need from the chain (packages/node/src/chain): nonces and fees for the txs they
 * build, submitting co-signed txs, the channel object, and being told what lands in blocks and
 * when a tx is deep enough or a height is reached.
 */
import type { Encoded } from '@ch/codec';
import type { ChannelObject } from '../chain/index.js';

export interface ChainAccess {
  readonly networkId: string;
  /** The top block's height. */
  height(): number;
  /** Whether the account exists on chain (participants must: sc_ws_handler `participant_not_found`). */
  hasAccount(account: Encoded<'ak'>): boolean;
  nextNonce(account: Encoded<'ak'>): bigint;
  /** The smallest fee the node accepts for `tx` (an unsigned or signed tx), at `gasPrice` if given. */
  minFee(tx: Encoded<'tx'>, gasPrice?: bigint): bigint;
  /** Puts a signed tx in the mempool; throws if the chain refuses it. */
  submit(tx: Encoded<'tx'>): Encoded<'th'>;
  /** The channel at the top block; undefined before its create tx is in a block and after it closed. */
  channel(id: Encoded<'ch'>): ChannelObject | undefined;
  /** Whether the tx is in a block or in the mempool (aec_chain `find_tx_location` is not `not_found`). */
  knowsTx(tx: Encoded<'tx'>): boolean;
  /** Called for every tx of the channel as its block lands; returns the unsubscriber. */
  onChannelTx(channelId: Encoded<'ch'>, listener: (tx: Encoded<'tx'>, txHash: Encoded<'th'>) => void): () => void;
  /** Resolves once `txHash` is `depth` blocks deep (0: in the top block). */
  waitForDepth(txHash: Encoded<'th'>, depth: number): Promise<void>;
  /** Resolves once the top block is at `height` or above. */
  waitForHeight(height: number): Promise<void>;
}
