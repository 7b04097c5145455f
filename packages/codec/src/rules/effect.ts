/**
 * The rule book's one entry: what signing a channel tx does, judged against the channel as both
 * parties know it. The client decides whether to sign and the node whether to accept its peer's
 * proposal from this same verdict.
 */
import type { OffChainUpdate } from '../state/offchain-state.js';
import type { UnsignedTx } from '../tx/schema.js';
import { Tag } from '../tx/tags.js';
import { judgePayout } from './closing.js';
import { judgeCreate } from './create.js';
import { judgeRound } from './rounds.js';
import { judgeSolo } from './solo.js';
import { broken, Violation, type ChannelContext, type Verdict } from './verdict.js';

/** The effect of `tx` (unsigned), listed with `updates`, on the channel `ctx`; or the rule it breaks. */
export function txEffect(tx: UnsignedTx, updates: readonly OffChainUpdate[], ctx: ChannelContext): Verdict {
  if (tx.tag === Tag.ChannelCreateTx) return ctx.last === undefined ? judgeCreate(tx, ctx) : broken(Violation.WRONG_ROUND, 'the channel has been created already');
  if (!isJudged(tx)) return broken(Violation.UNSUPPORTED_TX, `no rule for tx tag ${tx.tag}`);
  const { channelId, last } = ctx;
  if (channelId === undefined || last === undefined) return broken(Violation.CHANNEL_NOT_OPEN, 'the channel is not open yet');
  if (tx.channelId !== channelId) return broken(Violation.WRONG_CHANNEL, `tx is for ${tx.channelId}, not ${channelId}`);
  switch (tx.tag) {
    case Tag.ChannelOffChainTx:
    case Tag.ChannelDepositTx:
    case Tag.ChannelWithdrawTx:
      return judgeRound(tx, updates, ctx, last);
    case Tag.ChannelCloseMutualTx:
    case Tag.ChannelSettleTx:
      return judgePayout(tx, ctx, last);
    case Tag.ChannelCloseSoloTx:
    case Tag.ChannelSlashTx:
    case Tag.ChannelSnapshotSoloTx:
      if (updates.length > 0) return broken(Violation.UPDATES_MISMATCH, 'a solo tx lists no updates');
      return judgeSolo(tx, ctx, last);
  }
}

const JUDGED = new Set<number>([
  Tag.ChannelOffChainTx,
  Tag.ChannelDepositTx,
  Tag.ChannelWithdrawTx,
  Tag.ChannelCloseMutualTx,
  Tag.ChannelSettleTx,
  Tag.ChannelCloseSoloTx,
  Tag.ChannelSlashTx,
  Tag.ChannelSnapshotSoloTx,
]);

type JudgedTx = Extract<UnsignedTx, { tag: typeof Tag.ChannelOffChainTx | typeof Tag.ChannelDepositTx | typeof Tag.ChannelWithdrawTx | typeof Tag.ChannelCloseMutualTx | typeof Tag.ChannelSettleTx | typeof Tag.ChannelCloseSoloTx | typeof Tag.ChannelSlashTx | typeof Tag.ChannelSnapshotSoloTx }>;

const isJudged = (tx: UnsignedTx): tx is JudgedTx => JUDGED.has(tx.tag);
