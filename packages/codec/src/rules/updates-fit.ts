/** The binding between a tx and the off-chain updates listed with it. */
import type { OffChainUpdate } from '../state/offchain-state.js';
import { Tag } from '../tx/tags.js';
import type { UnsignedTx } from '../tx/schema.js';

/**
 * Whether `updates` are the ones `tx` stands for: a deposit or withdrawal starts with its own
 * update (same account, same amount), then only meta updates follow; any other round moves no
 * coins into or out of the channel.
 */
export function updatesFit(tx: UnsignedTx, updates: readonly OffChainUpdate[]): boolean {
  const [first, ...rest] = updates;
  const onlyMeta = (list: readonly OffChainUpdate[]) => list.every((u) => u.op === 'OffChainMeta');
  switch (tx.tag) {
    case Tag.ChannelDepositTx:
      return first?.op === 'OffChainDeposit' && first.from === tx.fromId && first.amount === tx.amount && onlyMeta(rest);
    case Tag.ChannelWithdrawTx:
      return first?.op === 'OffChainWithdrawal' && first.to === tx.toId && first.amount === tx.amount && onlyMeta(rest);
    default:
      return updates.every((u) => u.op !== 'OffChainDeposit' && u.op !== 'OffChainWithdrawal');
  }
}
