/** Movements of coins between states, per participant. */
import type { Encoded } from '../encoding.js';
import type { OffChainState } from '../state/offchain-state.js';
import type { ChannelContext, Movement } from './verdict.js';

export const participants = (ctx: ChannelContext): readonly [Encoded<'ak'>, Encoded<'ak'>] => [ctx.initiatorId, ctx.responderId];

export const isParticipant = (ctx: ChannelContext, account: Encoded<'ak'>): boolean => account === ctx.initiatorId || account === ctx.responderId;

/** Each participant's balance change from `before` (nothing, for a new channel) to `after` (nothing, once paid out); zero changes left out. */
export function stateMoves(ctx: ChannelContext, before: OffChainState | undefined, after: OffChainState | undefined): Movement[] {
  return participants(ctx)
    .map((account) => ({ account, amount: (after?.balanceOf(account) ?? 0n) - (before?.balanceOf(account) ?? 0n) }))
    .filter((m) => m.amount !== 0n);
}

/** Movements with zero amounts left out. */
export const moves = (...list: Movement[]): Movement[] => list.filter((m) => m.amount !== 0n);
