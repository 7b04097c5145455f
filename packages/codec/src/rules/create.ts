/**
 * The create tx founds the channel: its parties, reserve, amounts and lock period are the agreed
 * ones, its state hash is of the initial balances (the pushed amount moved to the responder), its
 * id follows from it.
 */
import { encode } from '../encoding.js';
import { initialState } from '../state/offchain-state.js';
import type { ChannelCreateTx } from '../tx/schema.js';
import { channelIdFromCreateTx } from '../tx/channel-id.js';
import { moves, stateMoves } from './movements.js';
import { broken, Violation, type ChannelContext, type Verdict } from './verdict.js';

export function judgeCreate(tx: ChannelCreateTx, ctx: ChannelContext): Verdict {
  if (tx.initiatorId !== ctx.initiatorId || tx.responderId !== ctx.responderId) return broken(Violation.WRONG_PARTY, 'the create tx names other parties');
  if (tx.channelReserve !== ctx.channelReserve) return broken(Violation.WRONG_TERMS, `reserve ${tx.channelReserve}, agreed ${ctx.channelReserve}`);
  const agreed = ctx.opening;
  if (agreed !== undefined && (tx.initiatorAmount !== agreed.initiatorAmount || tx.responderAmount !== agreed.responderAmount || tx.lockPeriod !== agreed.lockPeriod)) {
    return broken(Violation.WRONG_TERMS, `amounts ${tx.initiatorAmount}/${tx.responderAmount}, lock period ${tx.lockPeriod}; agreed ${agreed.initiatorAmount}/${agreed.responderAmount}, ${agreed.lockPeriod}`);
  }
  const state = initialState({
    initiator: tx.initiatorId,
    responder: tx.responderId,
    initiatorAmount: tx.initiatorAmount,
    responderAmount: tx.responderAmount,
    pushAmount: agreed?.pushAmount ?? 0n,
  });
  const stateHash = encode(state.stateHash(), 'st');
  if (tx.stateHash !== stateHash) return broken(Violation.WRONG_STATE_HASH, 'the create tx does not hash its initial balances');
  let channelId;
  try {
    channelId = channelIdFromCreateTx(tx);
  } catch (e) {
    return broken(Violation.MALFORMED_TX, (e as Error).message);
  }
  if (ctx.channelId !== undefined && channelId !== ctx.channelId) return broken(Violation.WRONG_CHANNEL, `the create tx founds ${channelId}, not ${ctx.channelId}`);
  const delegates = tx.version === 1 ? tx.delegateIds : [...tx.initiatorDelegateIds, ...tx.responderDelegateIds];
  const effect = {
    kind: 'create' as const,
    tx,
    networkId: ctx.networkId,
    channelId,
    from: tx.initiatorId,
    onChain: moves({ account: tx.initiatorId, amount: -(tx.initiatorAmount + tx.fee) }, { account: tx.responderId, amount: -tx.responderAmount }),
    offChain: stateMoves(ctx, undefined, state),
    fee: tx.fee,
    pricedAs: tx,
    nonce: tx.nonce,
    round: 1n,
    state,
    stateHash,
    delegates,
  };
  return { ok: true, effect };
}
