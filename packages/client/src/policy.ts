/**
 * What this client signs that it did not ask for in full: the peer's proposals, sign requests no
 * operation of its own made, and fees its caller left to the node. The rule book (@ch/codec
 * `txEffect`) has already said what the tx does; the policy says whether that is acceptable.
 */
import { DEFAULT_MIN_GAS_PRICE, effectMinimumFee, type Encoded, type TxEffect } from '@ch/codec';
import { AbortCode } from './errors.js';

export interface SignPolicy {
  /**
   * A fee nobody set may be at most this many times the minimum fee at the node's default gas price
   * (`DEFAULT_MIN_GAS_PRICE`). Default 5: room for a node whose miner asks a few times the default
   * price, far below the fees that drain a channel.
   */
  readonly maxFeeFactor: bigint;
  /** Accounts a create tx may name as delegates; default none. */
  readonly delegates: readonly Encoded<'ak'>[];
}

export const DEFAULT_SIGN_POLICY: SignPolicy = { maxFeeFactor: 5n, delegates: [] };

export interface Refusal {
  readonly code: AbortCode;
  readonly reason: string;
}

/** The solo txs a client posts alone, which only its own operation may ask for while the channel is open. */
const SOLO_KINDS: ReadonlySet<TxEffect['kind']> = new Set(['close_solo', 'slash', 'snapshot_solo', 'settle']);

/** Why `policy` refuses the effect of a tx whose fee nobody set; undefined if it allows it. */
export function feeRefusal(policy: SignPolicy, effect: TxEffect): Refusal | undefined {
  const minimum = effectMinimumFee(effect, DEFAULT_MIN_GAS_PRICE);
  if (minimum === undefined || effect.fee <= minimum * policy.maxFeeFactor) return undefined;
  return { code: AbortCode.FEE_ABOVE_POLICY, reason: `fee ${effect.fee} is above ${policy.maxFeeFactor}× the minimum fee ${minimum}` };
}

/** A delegate the policy does not name: no request of ours asks for one, so it is refused whoever asked. */
export function delegateRefusal(policy: SignPolicy, effect: TxEffect): Refusal | undefined {
  const foreign = effect.delegates.find((d) => !policy.delegates.includes(d));
  return foreign === undefined ? undefined : { code: AbortCode.FOREIGN_ACCOUNT, reason: `the create tx names ${foreign} as a delegate` };
}

/**
 * Why `policy` refuses a tx this client did not ask for (`unrequested`) or the peer proposed: its
 * fee, its delegates, or a solo tx nobody here asked for. A slash is the one solo tx the node may
 * ask for unasked, and only once an older state is closing on chain (`canSlash`).
 */
export function policyRefusal(policy: SignPolicy, effect: TxEffect, context: { readonly unrequested: boolean; readonly canSlash: boolean }): Refusal | undefined {
  const foreign = delegateRefusal(policy, effect);
  if (foreign) return foreign;
  if (context.unrequested && SOLO_KINDS.has(effect.kind) && !(effect.kind === 'slash' && context.canSlash)) {
    return { code: AbortCode.UNEXPECTED_REQUEST, reason: `a ${effect.kind} tx this client did not ask for` };
  }
  return feeRefusal(policy, effect);
}
