/**
 * The channel transactions an FSM builds for its client to sign (aesc_fsm `new_onchain_tx/7`,
 * aesc_offchain_state `make_update_tx/7`). Txs go out wrapped in a signed tx with no signatures,
 * as `aetx_sign:new(Tx, [])` does.
 */
import { buildTx, closeMutualPayout, encode, onChainFee, poiFromState, PROTOCOL_MIN_GAS_PRICE, Tag, type ChannelCreateTx, type Encoded, type OffChainState, type OffChainUpdate, type SignedTx, type UnsignedTx } from '@ch/codec';
import type { ChainAccess } from './chain-access.js';
import type { OnChainOptions } from './events.js';
import type { ChannelOptions } from './options.js';

/** Why the FSM cannot build a tx its client asked for; the client gets -32603 (an unmapped error). */
export class TxBuildError extends Error {
  override readonly name = 'TxBuildError';
  constructor(readonly reason: 'too_low_fee' | 'insufficient_balance') {
    super(`cannot build the tx: ${reason}`);
  }
}

/** What a client's request proposes: the round's tx for its client to sign, its updates, the state they lead to. */
export interface Proposal {
  readonly tx: Encoded<'tx'>;
  readonly updates: readonly OffChainUpdate[];
  readonly next: OffChainState;
}

/** An unsigned tx in the signed-tx wrapper the node hands to clients. */
export function unsigned(tx: UnsignedTx): Encoded<'tx'> {
  return buildTx({ tag: Tag.SignedTx, version: 1, signatures: [], encodedTx: tx });
}

/**
 * Sets the fee by the node's fee rule (@ch/codec `onChainFee`, priced by the chain at the client's
 * or the miner's gas price); a fee below the protocol's minimum is refused (`too_low_fee`).
 */
function withFee<T extends UnsignedTx & { fee: bigint }>(build: (fee: bigint) => T, opts: OnChainOptions, chain: ChainAccess): T {
  const tx = build(onChainFee(opts, (gasPrice) => chain.minFee(buildTx(build(0n)), gasPrice)));
  if (tx.fee < chain.minFee(buildTx(tx), PROTOCOL_MIN_GAS_PRICE)) throw new TxBuildError('too_low_fee');
  return tx;
}

/** The create tx: unadjusted amounts, the hash of the pushed initial state (protocol-facts §1.6). */
export function createTx(opts: ChannelOptions, initial: OffChainState, version: 1 | 2, chain: ChainAccess): Encoded<'tx'> {
  const common = {
    initiatorId: opts.initiator,
    initiatorAmount: opts.initiatorAmount,
    responderId: opts.responder,
    responderAmount: opts.responderAmount,
    channelReserve: opts.channelReserve,
    lockPeriod: opts.lockPeriod,
    ttl: opts.ttl ?? 0n,
    stateHash: encode(initial.stateHash(), 'st'),
    nonce: opts.nonce ?? chain.nextNonce(opts.initiator),
  };
  const build = (fee: bigint): ChannelCreateTx =>
    version === 1
      ? { tag: Tag.ChannelCreateTx, version: 1, ...common, fee, delegateIds: [] }
      : { tag: Tag.ChannelCreateTx, version: 2, ...common, fee, initiatorDelegateIds: [], responderDelegateIds: [] };
  return unsigned(withFee(build, { fee: opts.fee }, chain));
}

/** meta_updates/1: each meta string becomes an update that changes nothing but is signed along. */
export function metaUpdates(meta: readonly string[]): OffChainUpdate[] {
  return meta.map((data) => ({ op: 'OffChainMeta', data }));
}

/** An off-chain round: `[57, 2, channel, round, state_hash]`. */
export function offChainTx(channelId: Encoded<'ch'>, round: bigint, state: OffChainState): Encoded<'tx'> {
  return unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId, round, stateHash: encode(state.stateHash(), 'st') });
}

/** What every tx an FSM builds for itself shares: its channel, its account and the chain to price it on. */
export interface TxContext {
  readonly channelId: Encoded<'ch'>;
  readonly account: Encoded<'ak'>;
  readonly ttl: bigint;
  readonly chain: ChainAccess;
  readonly opts: OnChainOptions;
}

function common(ctx: TxContext) {
  return { channelId: ctx.channelId, ttl: ctx.ttl, nonce: ctx.opts.nonce ?? ctx.chain.nextNonce(ctx.account) };
}

/** A deposit (`from` = account) or withdrawal (`to` = account) whose round `round` has the state `next`. */
export function fundingTx(kind: 'deposit' | 'withdraw', ctx: TxContext, amount: bigint, round: bigint, next: OffChainState): Encoded<'tx'> {
  const fields = { ...common(ctx), amount, round, stateHash: encode(next.stateHash(), 'st') };
  return unsigned(
    withFee(
      (fee) =>
        kind === 'deposit'
          ? { tag: Tag.ChannelDepositTx, version: 1, ...fields, fee, fromId: ctx.account }
          : { tag: Tag.ChannelWithdrawTx, version: 1, ...fields, fee, toId: ctx.account },
      ctx.opts,
      ctx.chain,
    ),
  );
}

/** The close mutual tx: the balances of `state`, less the fee, paid out to both (the fee is set before the split). */
export function closeMutualTx(ctx: TxContext, initiator: Encoded<'ak'>, responder: Encoded<'ak'>, state: OffChainState): Encoded<'tx'> {
  const i = state.balanceOf(initiator) ?? 0n;
  const r = state.balanceOf(responder) ?? 0n;
  const fields = { ...common(ctx), fromId: ctx.account };
  const full = withFee((fee) => ({ tag: Tag.ChannelCloseMutualTx, version: 1, ...fields, fee, initiatorAmountFinal: i, responderAmountFinal: r }), ctx.opts, ctx.chain);
  const payout = closeMutualPayout(full.fee, i, r);
  if (payout === undefined) throw new TxBuildError('insufficient_balance');
  const [initiatorAmountFinal, responderAmountFinal] = payout;
  return unsigned({ ...full, initiatorAmountFinal, responderAmountFinal });
}

/** A solo close or slash: the co-signed state (or none, for the state on chain) and the PoI of `state`. */
export function soloCloseTx(kind: 'close_solo' | 'slash', ctx: TxContext, payload: SignedTx | null, state: OffChainState): Encoded<'tx'> {
  const fields = { ...common(ctx), fromId: ctx.account, payload, poi: poiFromState(state) };
  const tag = kind === 'close_solo' ? Tag.ChannelCloseSoloTx : Tag.ChannelSlashTx;
  return unsigned(withFee((fee) => ({ tag, version: 1, ...fields, fee }), ctx.opts, ctx.chain));
}

export function snapshotSoloTx(ctx: TxContext, payload: SignedTx): Encoded<'tx'> {
  const fields = { ...common(ctx), fromId: ctx.account, payload };
  return unsigned(withFee((fee) => ({ tag: Tag.ChannelSnapshotSoloTx, version: 1, ...fields, fee }), ctx.opts, ctx.chain));
}

/** The settle tx pays out the balances of the FSM's latest state. */
export function settleTx(ctx: TxContext, initiator: Encoded<'ak'>, responder: Encoded<'ak'>, state: OffChainState): Encoded<'tx'> {
  const fields = {
    ...common(ctx),
    fromId: ctx.account,
    initiatorAmountFinal: state.balanceOf(initiator) ?? 0n,
    responderAmountFinal: state.balanceOf(responder) ?? 0n,
  };
  return unsigned(withFee((fee) => ({ tag: Tag.ChannelSettleTx, version: 1, ...fields, fee }), ctx.opts, ctx.chain));
}
