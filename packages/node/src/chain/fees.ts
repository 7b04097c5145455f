/**
 * Transaction fees as the chain applies them. The minimum-fee rule itself is @ch/codec's rule book
 * (shared with the client); here it is applied to what the chain runs, with the chain's errors.
 */
import { feeGas, minimumFee, PROTOCOL_MIN_GAS_PRICE, Tag, unpackTx, type Encoded, type UnsignedTx } from '@ch/codec';
import { ChainError, ChainErrorCode, check } from './errors.js';
import { isOnChainTx, type OnChainTx } from './tx/kinds.js';

export { DEFAULT_MIN_GAS_PRICE, feeGas, PROTOCOL_MIN_GAS_PRICE } from '@ch/codec';

function unsigned(tx: UnsignedTx | Encoded<'tx'>): OnChainTx {
  const object = typeof tx === 'string' ? unpackTx(tx) : tx;
  const inner = object.tag === Tag.SignedTx ? object.encodedTx : object;
  if (!isOnChainTx(inner)) throw new ChainError(ChainErrorCode.UNSUPPORTED, `no fee rule for tag ${inner.tag}`);
  return inner;
}

/** The fee the node's FSM puts in a tx when the client gives none (`create_with_minimum_fee`); any fee in `tx` is ignored. */
export function fee(tx: UnsignedTx | Encoded<'tx'>, options: { gasPrice?: bigint } = {}): bigint {
  const priced = unsigned(tx);
  try {
    return minimumFee(priced, options.gasPrice);
  } catch (e) {
    throw new ChainError(ChainErrorCode.FEE_TOO_LOW, (e as Error).message, { cause: e });
  }
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
