/**
 * On-chain options (nonce, fee, gas price, meta) on every on-chain operation, against both
 * counterparts: each lands in the tx the client signs, and the node's fee rule (aesc_fsm
 * `new_onchain_tx_/4`) gives the same fee on @ch/node as on the real node.
 */
import { Tag, isPricedTx, minimumFee, unpackTx, type Encoded, type UnsignedTx } from '@ch/codec';
import { describe, expect, test } from 'vitest';
import { realNodeAvailable } from '../../../tools/real-node.js';
import { describeOnBothNodes, openOn, type Counterpart } from './test-support/counterparts.js';
import { until } from './test-support/until.js';

const innerOf = (tx: Encoded<'tx'>): UnsignedTx => {
  const outer = unpackTx(tx);
  return outer.tag === Tag.SignedTx ? outer.encodedTx : outer;
};
const field = (tx: Encoded<'tx'>, name: 'fee' | 'nonce'): bigint => (innerOf(tx) as unknown as Record<string, bigint>)[name]!;

/** Fees per counterpart, case by case, compared at the end. */
const fees = new Map<Counterpart['name'], Map<string, bigint>>();

describeOnBothNodes('on-chain options', (counterpart) => {
  const record = (name: string, fee: bigint) => {
    const seen = fees.get(counterpart().name) ?? new Map<string, bigint>();
    fees.set(counterpart().name, seen.set(name, fee));
  };

  test('deposit: the fee rule, case by case', async () => {
    const { I, close } = await openOn(counterpart(), [0, 1]);
    try {
      const deposit = async (name: string, options: Parameters<typeof I.deposit>[1]) => {
        await I.deposit(1_000n, options);
        const fee = field(I.state!.tx, 'fee');
        record(name, fee);
        return fee;
      };
      expect(await deposit('fee only', { fee: 30_000_000_000_000n })).toBe(30_000_000_000_000n);
      const atDefault = await deposit('neither', {});
      const atTwice = await deposit('gas price only', { gasPrice: 2_000_000_000n });
      // The minimum fee scales with the gas price (the tx's size is the same at both prices here).
      expect(atTwice).toBeGreaterThan(atDefault);
      expect(await deposit('fee below the minimum at the gas price', { fee: 1n, gasPrice: 2_000_000_000n })).toBe(atTwice);
      expect(await deposit('fee above the minimum at the gas price', { fee: 80_000_000_000_000n, gasPrice: 2_000_000_000n })).toBe(80_000_000_000_000n);
    } finally {
      close();
    }
  }, 120_000);

  test('open with fee and nonce: the create tx carries them', async () => {
    const nonce = await counterpart().nextNonce(counterpart().accounts[6]!.id);
    const { I, close } = await openOn(counterpart(), [6, 7], { initiator: { fee: 30_000_000_000_000n, nonce } });
    try {
      expect(field(I.state!.tx, 'fee')).toBe(30_000_000_000_000n);
      expect(field(I.state!.tx, 'nonce')).toBe(nonce);
    } finally {
      close();
    }
  }, 120_000);

  test('a create fee above the default policy, named by both parties, is signed by both', async () => {
    const fee = 200_000_000_000_000n;
    const { I, close } = await openOn(counterpart(), [2, 7], { initiator: { fee }, responder: { fee } });
    try {
      expect(field(I.state!.tx, 'fee')).toBe(fee);
    } finally {
      close();
    }
  }, 120_000);

  test('withdraw with nonce, fee and meta; shutdown with fee', async () => {
    const { I, R, r, close } = await openOn(counterpart(), [2, 3]);
    try {
      const proposals: { updates: readonly { op: string }[] }[] = [];
      I.on('proposal', (p) => proposals.push(p));
      const nonce = await counterpart().nextNonce(r);
      await R.withdraw(500n, { nonce, fee: 25_000_000_000_000n, meta: ['for the record'] });
      expect(field(R.state!.tx, 'nonce')).toBe(nonce);
      expect(field(R.state!.tx, 'fee')).toBe(25_000_000_000_000n);
      expect(proposals.at(-1)!.updates.map((u) => u.op)).toEqual(['OffChainWithdrawal', 'OffChainMeta']);
      const shutdown = await I.shutdown({ fee: 40_000_000_000_000n });
      expect(field(shutdown, 'fee')).toBe(40_000_000_000_000n);
      record('shutdown fee', field(shutdown, 'fee'));
      await until(() => I.status === 'closed' && R.status === 'closed', 60_000);
    } finally {
      close();
    }
  }, 120_000);

  test('snapshot with gas price, close solo with nonce, settle with fee', async () => {
    const { I, R, i, r, close } = await openOn(counterpart(), [4, 5], { terms: { lockPeriod: 2n } });
    try {
      await I.transfer(i, r, 5n);
      const snapshot = await I.snapshot({ gasPrice: 2_000_000_000n });
      record('snapshot at gas price', field(snapshot, 'fee'));
      await R.transfer(r, i, 1n);
      const nonce = await counterpart().nextNonce(r);
      const closing = await R.closeSolo({ nonce });
      expect(field(closing, 'nonce')).toBe(nonce);
      // Its PoI's size depends on the participants' keys, which differ between counterparts: what
      // must agree is that both charge the rule's minimum for the tx they built.
      const closeTx = innerOf(closing);
      if (!isPricedTx(closeTx)) throw new Error(`close solo signed a tx of tag ${closeTx.tag}`);
      record('close solo: fee above its minimum', closeTx.fee - minimumFee(closeTx));
      await until(() => I.status === 'closing' && R.status === 'closing', 60_000);
      await counterpart().waitBlocks(3);
      const settle = await I.settle({ fee: 35_000_000_000_000n });
      expect(field(settle, 'fee')).toBe(35_000_000_000_000n);
      await until(() => I.status === 'closed' && R.status === 'closed', 60_000);
    } finally {
      close();
    }
  }, 120_000);
});

describe('the fee rule on both counterparts', () => {
  test.skipIf(!realNodeAvailable)('the same fee for each case', () => {
    const [ours, real] = [fees.get('ch-node'), fees.get('aeternity')];
    expect(ours?.size).toBe(8);
    expect(Object.fromEntries(ours ?? [])).toEqual(Object.fromEntries(real ?? []));
    console.log(`fee rule: ${ours?.size} cases, the same fees on @ch/node and the real node`);
  });
});
