/**
 * Txs that pay the channel out: a mutual close pays the last co-signed balances less its fee; a
 * settle pays the last co-signed balances (the state the solo close and any slash put on chain).
 */
import type { ChannelCloseMutualTx, ChannelSettleTx } from '../tx/schema.js';
import { Tag } from '../tx/tags.js';
import { isParticipant, moves, stateMoves } from './movements.js';
import { closeMutualPayout } from './payout.js';
import { broken, Violation, type ChannelContext, type LastCoSigned, type Verdict } from './verdict.js';

export function judgePayout(tx: ChannelCloseMutualTx | ChannelSettleTx, ctx: ChannelContext, last: LastCoSigned): Verdict {
  if (!isParticipant(ctx, tx.fromId)) return broken(Violation.WRONG_PARTY, `${tx.tag === Tag.ChannelSettleTx ? 'settle' : 'close'} from ${tx.fromId}, not a participant`);
  const i = last.state.balanceOf(ctx.initiatorId) ?? 0n;
  const r = last.state.balanceOf(ctx.responderId) ?? 0n;
  const expected = tx.tag === Tag.ChannelSettleTx ? [i, r] : closeMutualPayout(tx.fee, i, r);
  if (expected === undefined || tx.initiatorAmountFinal !== expected[0] || tx.responderAmountFinal !== expected[1]) {
    const less = tx.tag === Tag.ChannelSettleTx ? '' : ` less the fee ${tx.fee}`;
    return broken(Violation.WRONG_PAYOUT, `payout ${tx.initiatorAmountFinal}/${tx.responderAmountFinal} is not the balances ${i}/${r}${less}`);
  }
  // A settle's poster pays its fee; a mutual close's fee comes out of the channel.
  const posterFee = tx.tag === Tag.ChannelSettleTx ? tx.fee : 0n;
  const onChain = moves(
    { account: ctx.initiatorId, amount: tx.initiatorAmountFinal - (tx.fromId === ctx.initiatorId ? posterFee : 0n) },
    { account: ctx.responderId, amount: tx.responderAmountFinal - (tx.fromId === ctx.responderId ? posterFee : 0n) },
  );
  const effect = {
    kind: tx.tag === Tag.ChannelSettleTx ? ('settle' as const) : ('close_mutual' as const),
    tx,
    networkId: ctx.networkId,
    channelId: tx.channelId,
    from: tx.fromId,
    onChain,
    offChain: stateMoves(ctx, last.state, undefined),
    fee: tx.fee,
    pricedAs: tx.tag === Tag.ChannelSettleTx ? tx : { ...tx, initiatorAmountFinal: i, responderAmountFinal: r },
    nonce: tx.nonce,
    round: undefined,
    state: undefined,
    stateHash: undefined,
    delegates: [],
  };
  return { ok: true, effect };
}
