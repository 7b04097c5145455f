/**
 * Transaction fees as the node computes them (aetx.erl, aec_governance.erl, aec_tx_pool.erl):
 * fee gas = base gas + 20 gas per byte of the serialized unsigned tx, priced in aettos per gas.
 */
import { serializeObject, Tag, unpackTx, type Encoded, type UnsignedTx } from '@ch/codec';
import { ChainError, ChainErrorCode, check } from './errors.js';
import { isOnChainTx, type OnChainTx } from './tx/kinds.js';

/** ?TX_BASE_GAS: the base gas of spend and of every channel tx the chain runs. */
const BASE_GAS = 15_000n;
/** ?BYTE_GAS. */
const BYTE_GAS = 20n;
/** aec_governance:minimum_gas_price/1 from Minerva on: what a fee must pay per gas at the least. */
export const PROTOCOL_MIN_GAS_PRICE = 1_000_000n;
/** The default `mining.min_miner_gas_price`: the price a node's miner asks and its FSM pays. */
export const DEFAULT_MIN_GAS_PRICE = 1_000_000_000n;
/** create_with_minimum_fee tries this many times before giving up (aesc_fsm.erl). */
const FEE_ATTEMPTS = 5;

/** aetx:fee_gas/3 of a tx without gas of its own. */
export function feeGas(tx: OnChainTx): bigint {
  return BASE_GAS + BYTE_GAS * BigInt(serializeObject(tx).length);
}

function unsigned(tx: UnsignedTx | Encoded<'tx'>): OnChainTx {
  const object = typeof tx === 'string' ? unpackTx(tx) : tx;
  const inner = object.tag === Tag.SignedTx ? object.encodedTx : object;
  if (!isOnChainTx(inner)) throw new ChainError(ChainErrorCode.UNSUPPORTED, `no fee rule for tag ${inner.tag}`);
  return inner;
}

/**
 * The fee the node's FSM puts in a tx when the client gives none (`create_with_minimum_fee`): build
 * with fee 0, then set the fee to fee gas × gas price until it covers itself. The fee is part of the
 * serialized tx, so a larger fee can need more size gas, hence the loop. Any fee in `tx` is ignored.
 */
export function fee(tx: UnsignedTx | Encoded<'tx'>, options: { gasPrice?: bigint } = {}): bigint {
  const { gasPrice = DEFAULT_MIN_GAS_PRICE } = options;
  let candidate: OnChainTx = { ...unsigned(tx), fee: 0n };
  for (let attempt = 0; attempt < FEE_ATTEMPTS; attempt++) {
    const minimum = feeGas(candidate) * gasPrice;
    if (minimum <= candidate.fee) return candidate.fee;
    candidate = { ...candidate, fee: minimum };
  }
  // Unreached for any sane price: each round adds at most a byte or two of fee.
  throw new ChainError(ChainErrorCode.FEE_TOO_LOW, `no fee covers itself at gas price ${gasPrice} (aesc_fsm: could_not_compute_fee)`);
}

/**
 * The mempool's fee checks: the protocol minimum (`check_minimum_fee`), then the miner's price, which
 * the node compares with the fee's gas price rounded up (`aetx:min_gas_price/3`).
 */
export function checkFee(tx: OnChainTx, minGasPrice: bigint): void {
  const gas = feeGas(tx);
  const gasPrice = (tx.fee + gas - 1n) / gas;
  check(
    tx.fee >= gas * PROTOCOL_MIN_GAS_PRICE && gasPrice >= minGasPrice,
    ChainErrorCode.FEE_TOO_LOW,
    `fee ${tx.fee} is below ${gas} gas × ${minGasPrice} = ${gas * minGasPrice}`,
  );
}
