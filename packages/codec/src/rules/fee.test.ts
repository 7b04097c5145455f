/** The node's fee rule (aesc_fsm new_onchain_tx_/4) and the minimum fee it prices with. */
import { describe, expect, test } from 'vitest';
import { encode } from '../encoding.js';
import { Tag } from '../tx/tags.js';
import { DEFAULT_MIN_GAS_PRICE, feeGas, minimumFee, onChainFee, type PricedTx } from './fee.js';

const deposit: PricedTx = {
  tag: Tag.ChannelDepositTx,
  version: 1,
  channelId: encode(new Uint8Array(32).fill(7), 'ch'),
  fromId: encode(new Uint8Array(32).fill(1), 'ak'),
  amount: 10n,
  ttl: 0n,
  fee: 0n,
  stateHash: encode(new Uint8Array(32), 'st'),
  round: 2n,
  nonce: 1n,
};

describe('onChainFee', () => {
  const minimumAt = (gasPrice: bigint | undefined) => minimumFee(deposit, gasPrice);
  const minimum = minimumFee(deposit);

  test('a fee alone is taken as given, however low', () => {
    expect(onChainFee({ fee: 20_000n }, minimumAt)).toBe(20_000n);
  });

  test('a fee and a gas price: the larger of the fee and the minimum at that price', () => {
    expect(onChainFee({ fee: 20_000n, gasPrice: DEFAULT_MIN_GAS_PRICE }, minimumAt)).toBe(minimum);
    expect(onChainFee({ fee: minimum * 2n, gasPrice: DEFAULT_MIN_GAS_PRICE }, minimumAt)).toBe(minimum * 2n);
  });

  test('a gas price alone, or neither: the minimum at that price, or the default', () => {
    expect(onChainFee({ gasPrice: 2n * DEFAULT_MIN_GAS_PRICE }, minimumAt)).toBe(minimumFee(deposit, 2n * DEFAULT_MIN_GAS_PRICE));
    expect(onChainFee({}, minimumAt)).toBe(minimum);
  });

  test('the minimum fee covers the gas of the tx that carries it', () => {
    expect(minimum).toBe(feeGas({ ...deposit, fee: minimum }) * DEFAULT_MIN_GAS_PRICE);
    expect(minimumFee({ ...deposit, fee: 123n })).toBe(minimum);
  });
});
