/** `fee()` against the fees the node's FSM put in real txs, and the chain's fee check at its edges. */
import { readFileSync } from 'node:fs';
import { buildTx, Tag, unpackTx, type Encoded, type Tx } from '@ch/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelKit, sign } from './channel-kit.test-helper.js';
import { ChainErrorCode, isChainError } from './errors.js';
import { fee, feeGas } from './fees.js';
import { isOnChainTx, type OnChainTx } from './tx/kinds.js';
import { transcriptPath, TX_VECTORS } from '../../../../tools/fixtures.mjs';

const vectors = (JSON.parse(readFileSync(TX_VECTORS, 'utf8')) as { vectors: { tx: Encoded<'tx'>; seen: { where: string }[] }[] }).vectors;

/** The innermost tx, through signed-tx and GA meta layers. */
function innermost(tx: Tx): Tx {
  if (tx.tag === Tag.SignedTx) return innermost(tx.encodedTx);
  return tx.tag === Tag.GaMetaTx ? innermost(tx.tx) : tx;
}

/** Every distinct on-chain tx of the vectors (spend and channel txs but force progress), with the transcript it came from. */
const onChain = new Map<Encoded<'tx'>, { tx: OnChainTx; transcript: string }>();
for (const { tx, seen } of vectors) {
  const inner = innermost(unpackTx(tx));
  if (isOnChainTx(inner)) onChain.set(buildTx(inner), { tx: inner, transcript: seen[0]!.where.split('#')[0]! });
}

/** Fees a client gave in a transcript: as a request's `fee` param or the `fee` open parameter. */
function clientFees(transcript: string): Set<bigint> {
  const text = readFileSync(transcriptPath(transcript), 'utf8');
  return new Set([...text.matchAll(/"fee": "?(\d+)"?/g)].map((m) => BigInt(m[1]!)));
}

/**
 * Before node commit fdc113f92 (16 Jan 2020, "sc gas price") the FSM preset a close_mutual's fee to
 * ?DEFAULT_FSM_TX_GAS (20000) × gas price instead of computing the minimum. The Lima-vintage
 * changeable_fee logs were recorded on such a node.
 */
const PRESET_CLOSE_MUTUAL_FEE = 20_000n * 1_000_000_000n;

describe('fee() against the vectors', () => {
  const rows = [...onChain.values()].map(({ tx, transcript }) => {
    const computed = fee(tx);
    if (computed === tx.fee) return 'computed';
    if (clientFees(transcript).has(tx.fee)) return 'client';
    if (tx.tag === Tag.ChannelCloseMutualTx && tx.fee === PRESET_CLOSE_MUTUAL_FEE) return 'preset';
    return `unexplained: ${transcript} tag ${tx.tag} fee ${tx.fee}, computed ${computed}`;
  });
  const count = (kind: string): number => rows.filter((r) => r === kind).length;

  it('reproduces every fee the FSM computed itself', () => {
    expect(rows.filter((r) => r.startsWith('unexplained'))).toEqual([]);
    expect(onChain.size).toBe(161);
    expect({ computed: count('computed'), client: count('client'), preset: count('preset') }).toEqual({ computed: 130, client: 27, preset: 4 });
  });

  it('gives a create tx 15000 + 20 × 132 bytes of gas at 1e9', () => {
    const create = [...onChain.values()].find(({ tx }) => tx.tag === Tag.ChannelCreateTx && tx.fee === 17_640_000_000_000n)!.tx;
    expect(feeGas(create)).toBe(17_640n);
    expect(fee(create)).toBe(17_640_000_000_000n);
    // At the protocol's price the fee takes a byte less, and so 20 gas less.
    expect(fee(buildTx(create), { gasPrice: 1_000_000n })).toBe(17_620n * 1_000_000n);
  });

  it('reads signed tx strings and refuses txs it has no rule for', () => {
    const signedDeposit = vectors.find((v) => innermost(unpackTx(v.tx)).tag === Tag.ChannelDepositTx)!.tx;
    expect(fee(signedDeposit)).toBe(fee(innermost(unpackTx(signedDeposit)) as OnChainTx));
    const forceProgress = vectors.find((v) => innermost(unpackTx(v.tx)).tag === Tag.ChannelForceProgressTx)!;
    expect(() => fee(forceProgress.tx)).toThrow(expect.objectContaining({ code: ChainErrorCode.UNSUPPORTED }));
  });
});

let kit: ChannelKit | undefined;
afterEach(() => kit?.chain.stop());

describe('the chain takes a fee as the node does', () => {
  function submitWithFee(chooseFee: (min: bigint, gas: bigint) => bigint): string {
    const open = (kit = new ChannelKit());
    open.open();
    const tx = open.depositTx(open.initiator, 1n);
    try {
      open.chain.submit(sign({ ...tx, fee: chooseFee(tx.fee, feeGas(tx)) }, open.both));
      return 'accepted';
    } catch (e) {
      return isChainError(e) ? e.code : String(e);
    }
  }

  it('at the minimum fee', () => expect(submitWithFee((min) => min)).toBe('accepted'));
  // aetx:min_gas_price/3 rounds fee / gas up, so the miner's price is met one gas short of a full aetto.
  it('just above (price − 1) × gas', () => expect(submitWithFee((min, gas) => min - gas + 1n)).toBe('accepted'));
  it('not at (price − 1) × gas', () => expect(submitWithFee((min, gas) => min - gas)).toBe(ChainErrorCode.FEE_TOO_LOW));

  it("at the chain's own gas price", () => {
    const pricey = (kit = new ChannelKit({ minGasPrice: 2_000_000_000n }));
    const create = pricey.createTx();
    expect(create.fee).toBe(fee(create, { gasPrice: 2_000_000_000n }));
    expect(() => pricey.chain.submit(sign({ ...create, fee: fee(create) }, pricey.both))).toThrow(expect.objectContaining({ code: ChainErrorCode.FEE_TOO_LOW }));
  });
});
