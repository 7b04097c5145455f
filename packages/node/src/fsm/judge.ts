/**
 * The node's verdict on a channel tx it is asked to accept: the rule book's (@ch/codec `txEffect`,
 * shared with the client) on the FSM's last co-signed state, the kind the exchange stands for, and
 * the signatures the tx must already carry. Pure, so tests can set it beside the client's verdict.
 */
import { txEffect, type ChannelContext, type EffectKind, type Encoded, type OffChainUpdate, type TxEffect } from '@ch/codec';
import { innerTx, signedByAll } from './auth.js';
import type { ChannelFsm } from './fsm.js';

/** The channel as an FSM knows it: its parties, reserve and the last co-signed state. */
export function fsmContext(fsm: ChannelFsm): ChannelContext {
  const signed = fsm.channel.signed;
  const { initiator, responder, channelReserve, initiatorAmount, responderAmount, pushAmount, lockPeriod } = fsm.options;
  return {
    networkId: fsm.chain.networkId,
    channelId: fsm.channelId,
    initiatorId: initiator,
    responderId: responder,
    channelReserve,
    opening: { initiatorAmount, responderAmount, pushAmount, lockPeriod },
    last: signed && { round: signed.round, tx: signed.tx, state: fsm.channel.trees },
  };
}

export type NodeVerdict = { readonly ok: true; readonly effect: TxEffect } | { readonly ok: false; readonly error: string };

/** What a tx must be besides sound: its kind, who posts it (when the node checks that), who signed it already. */
export interface Expected {
  readonly kind: EffectKind;
  readonly origin?: Encoded<'ak'>;
  readonly signers: readonly Encoded<'ak'>[];
}

/**
 * `tx` (signed or not) as `expected` on `ctx`, its signatures under the channel's network. The
 * error names the first rule broken (`bad_tx_serialization`, a rule-book violation, `not_<kind>_tx`,
 * `wrong_origin` or `bad_signature`).
 */
export function judgeChannelTx(ctx: ChannelContext, expected: Expected, tx: Encoded<'tx'>, updates: readonly OffChainUpdate[]): NodeVerdict {
  let verdict;
  try {
    verdict = txEffect(innerTx(tx), updates, ctx);
  } catch {
    return { ok: false, error: 'bad_tx_serialization' };
  }
  if (!verdict.ok) return { ok: false, error: verdict.violation };
  const { kind, origin, signers } = expected;
  if (verdict.effect.kind !== kind) return { ok: false, error: `not_${kind}_tx` };
  if (origin !== undefined && verdict.effect.from !== origin) return { ok: false, error: 'wrong_origin' };
  if (!signedByAll(tx, ctx.networkId, signers)) return { ok: false, error: 'bad_signature' };
  return verdict;
}
