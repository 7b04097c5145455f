/**
 * Txs that set the next round (off-chain updates, deposits, withdrawals): this channel, the last
 * co-signed round + 1, updates that are the tx's own and apply, and the state hash they lead to.
 */
import { encode } from '../encoding.js';
import { applyUpdates, UpdateRejectedError, type OffChainState, type OffChainUpdate } from '../state/offchain-state.js';
import type { ChannelDepositTx, ChannelOffChainTx, ChannelWithdrawTx } from '../tx/schema.js';
import { Tag } from '../tx/tags.js';
import { moves, stateMoves } from './movements.js';
import { updatesFit } from './updates-fit.js';
import { broken, Violation, type ChannelContext, type LastCoSigned, type Verdict } from './verdict.js';

export type RoundTx = ChannelOffChainTx | ChannelDepositTx | ChannelWithdrawTx;

export function judgeRound(tx: RoundTx, updates: readonly OffChainUpdate[], ctx: ChannelContext, last: LastCoSigned): Verdict {
  const round = last.round + 1n;
  if (tx.round !== round) return broken(Violation.WRONG_ROUND, `round ${tx.round}, expected ${round}`);
  if (!updatesFit(tx, updates)) return broken(Violation.UPDATES_MISMATCH, 'the listed updates are not the ones the tx stands for');
  let state: OffChainState;
  try {
    state = applyUpdates(last.state, updates, ctx.channelReserve);
  } catch (e) {
    if (!(e instanceof UpdateRejectedError)) throw e;
    const violation = e.reason === 'unsupported_update' ? Violation.UNSUPPORTED_TX : Violation.INVALID_UPDATES;
    return broken(violation, e.message);
  }
  const stateHash = encode(state.stateHash(), 'st');
  if (tx.stateHash !== stateHash) return broken(Violation.WRONG_STATE_HASH, `state hash ${tx.stateHash} is not that of the listed updates`);
  const common = { tx, networkId: ctx.networkId, channelId: tx.channelId, round, state, stateHash, offChain: stateMoves(ctx, last.state, state), delegates: [] };
  switch (tx.tag) {
    case Tag.ChannelOffChainTx:
      // No one posts an off-chain tx: it costs nothing and has no nonce.
      return { ok: true, effect: { ...common, kind: 'offchain', from: undefined, onChain: [], fee: 0n, pricedAs: undefined, nonce: undefined } };
    case Tag.ChannelDepositTx:
      return { ok: true, effect: { ...common, kind: 'deposit', from: tx.fromId, onChain: moves({ account: tx.fromId, amount: -(tx.amount + tx.fee) }), fee: tx.fee, pricedAs: tx, nonce: tx.nonce } };
    case Tag.ChannelWithdrawTx:
      return { ok: true, effect: { ...common, kind: 'withdraw', from: tx.toId, onChain: moves({ account: tx.toId, amount: tx.amount - tx.fee }), fee: tx.fee, pricedAs: tx, nonce: tx.nonce } };
  }
}
