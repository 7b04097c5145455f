/**
 * What a channel tx must pay (aetx.erl, aec_governance.erl, aesc_fsm.erl): fee gas is the base
 * gas plus 20 gas per byte of the serialized unsigned tx, priced in aettos per gas. The fee is
 * part of the serialization, so the minimum fee is found by fixpoint.
 */
import { CodecError, CodecErrorCode } from '../errors.js';
import { Tag } from '../tx/tags.js';
import { serializeObject } from '../tx/object.js';
import type { UnsignedTx } from '../tx/schema.js';
import type { TxEffect } from './verdict.js';

/** ?TX_BASE_GAS: the base gas of spend and of every channel tx but force progress. */
const BASE_GAS = 15_000n;
/** ?BYTE_GAS. */
const BYTE_GAS = 20n;
/** aec_governance:minimum_gas_price/1 from Minerva on: what a fee must pay per gas at the least. */
export const PROTOCOL_MIN_GAS_PRICE = 1_000_000n;
/** The default `mining.min_miner_gas_price`: the price a node's miner asks and its FSM pays. */
export const DEFAULT_MIN_GAS_PRICE = 1_000_000_000n;
/** create_with_minimum_fee tries this many times before giving up. */
const FEE_ATTEMPTS = 5;

/** A tx that pays a fee of base gas plus size gas (force progress also pays for the contract call it runs). */
export type PricedTx = Exclude<Extract<UnsignedTx, { fee: bigint }>, { tag: typeof Tag.ChannelForceProgressTx | typeof Tag.GaMetaTx }>;

/** Whether the fee of `tx` follows the base-plus-size rule. */
export function isPricedTx(tx: UnsignedTx): tx is PricedTx {
  return 'fee' in tx && tx.tag !== Tag.ChannelForceProgressTx && tx.tag !== Tag.GaMetaTx;
}

/** aetx:fee_gas/3 of a tx without gas of its own. */
export function feeGas(tx: PricedTx): bigint {
  return BASE_GAS + BYTE_GAS * BigInt(serializeObject(tx).length);
}

/**
 * The least fee `tx` can carry at `gasPrice` (`create_with_minimum_fee`): build with fee 0, then
 * set the fee to fee gas × gas price until it covers itself. Any fee in `tx` is ignored.
 */
export function minimumFee(tx: PricedTx, gasPrice: bigint = DEFAULT_MIN_GAS_PRICE): bigint {
  let candidate: PricedTx = { ...tx, fee: 0n };
  for (let attempt = 0; attempt < FEE_ATTEMPTS; attempt++) {
    const minimum = feeGas(candidate) * gasPrice;
    if (minimum <= candidate.fee) return candidate.fee;
    candidate = { ...candidate, fee: minimum };
  }
  // Unreached for any sane price: each round adds at most a byte or two of fee.
  throw new CodecError(CodecErrorCode.BAD_FIELD, `no fee covers itself at gas price ${gasPrice} (aesc_fsm: could_not_compute_fee)`, { path: 'fee' });
}

/** The on-chain options a client may give for the fee of a tx its node builds. */
export interface FeeOptions {
  readonly fee?: bigint | undefined;
  readonly gasPrice?: bigint | undefined;
}

/**
 * The node's fee rule (aesc_fsm `new_onchain_tx_/4`): a fee alone is taken as given; a fee and a gas
 * price give the larger of the fee and the minimum fee at that price; a gas price alone, or
 * neither, give the minimum fee at that price or the node's own. `minimumAt` prices the tx.
 */
export function onChainFee(options: FeeOptions, minimumAt: (gasPrice: bigint | undefined) => bigint): bigint {
  if (options.fee === undefined) return minimumAt(options.gasPrice);
  if (options.gasPrice === undefined) return options.fee;
  const minimum = minimumAt(options.gasPrice);
  return options.fee > minimum ? options.fee : minimum;
}

/**
 * The least fee the node would put in the tx of `effect` at `gasPrice`; undefined for a tx that
 * pays none (off-chain).
 */
export function effectMinimumFee(effect: TxEffect, gasPrice?: bigint): bigint | undefined {
  return effect.pricedAs && minimumFee(effect.pricedAs, gasPrice);
}
