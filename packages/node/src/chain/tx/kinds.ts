/** The transactions this chain runs: spend and the channel txs of the protocol. */
import { Tag, type ObjectOf, type Tx } from '@ch/codec';

const ON_CHAIN_TAGS = [
  Tag.SpendTx,
  Tag.ChannelCreateTx,
  Tag.ChannelDepositTx,
  Tag.ChannelWithdrawTx,
  Tag.ChannelCloseMutualTx,
  Tag.ChannelCloseSoloTx,
  Tag.ChannelSlashTx,
  Tag.ChannelSettleTx,
  Tag.ChannelSnapshotSoloTx,
] as const;
export type OnChainTag = (typeof ON_CHAIN_TAGS)[number];
export type OnChainTx = ObjectOf<OnChainTag>;

const TAGS: ReadonlySet<number> = new Set(ON_CHAIN_TAGS);

export function isOnChainTx(tx: Tx): tx is OnChainTx {
  return TAGS.has(tx.tag);
}

/** Node protocols the chain can follow. Lima takes create tx version 1 only, Iris version 2 only. */
export type Protocol = 'lima' | 'iris';
