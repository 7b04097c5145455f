/**
 * Client scenarios written once and run against both counterparts: `@ch/node` (current profile)
 * and the real aeternity node (skipped with one line when it is not there).
 */
import { Tag, unpackTx, type Encoded } from '@ch/codec';
import { expect, test } from 'vitest';
import { describeOnBothNodes, openOn } from './test-support/counterparts.js';
import { SEED_TERMS } from './test-support/terms.js';
import { until } from './test-support/until.js';

const innerOf = (tx: Encoded<'tx'>) => {
  const outer = unpackTx(tx);
  return outer.tag === Tag.SignedTx ? outer.encodedTx : outer;
};

describeOnBothNodes('a channel from open to mutual close', (counterpart) => {
  test('open, transfers both ways, deposit, withdraw, mutual close', async () => {
    const { I, R, i, r, close } = await openOn(counterpart(), [0, 1]);
    try {
      expect(I.round).toBe(1n);
      expect(await I.transfer(i, r, 10n)).toBe(2n);
      expect(await R.transfer(r, i, 3n)).toBe(3n);
      expect(await I.deposit(1_000n)).toBe(4n);
      expect(await R.withdraw(500n)).toBe(5n);
      expect(I.balanceOf(i)).toBe(SEED_TERMS.initiatorAmount - 1n - 10n + 3n + 1_000n);
      expect(R.balanceOf(r)).toBe(SEED_TERMS.responderAmount + 1n + 10n - 3n - 500n);
      expect(innerOf(await I.shutdown()).tag).toBe(Tag.ChannelCloseMutualTx);
      await until(() => I.status === 'closed' && R.status === 'closed', 60_000);
    } finally {
      close();
    }
  }, 120_000);
});
