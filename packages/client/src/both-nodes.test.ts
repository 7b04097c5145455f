/**
 * Client scenarios written once and run against both counterparts: `@ch/node` (current profile)
 * and the real aeternity node (skipped with one line when it is not there).
 */
import { Tag, unpackTx, type Encoded } from '@ch/codec';
import { expect, test } from 'vitest';
import { withTimeout } from './deadlines.js';
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

describeOnBothNodes('a solo close after a snapshot', (counterpart) => {
  test('the snapshot is reported on chain; the solo close on its round carries an empty payload and is signed', async () => {
    const { I, R, i, r, close } = await openOn(counterpart(), [2, 3], { terms: { lockPeriod: 2n } });
    try {
      await I.transfer(i, r, 7n);
      const included = new Promise<void>((resolve) => I.on('onChainTx', (report) => report.info === 'channel_changed' && innerOf(report.tx).tag === Tag.ChannelSnapshotSoloTx && resolve()));
      await I.snapshot();
      await counterpart().waitBlocks(1);
      await withTimeout(included, 30_000, 'the snapshot on chain');
      const closing = innerOf(await I.closeSolo());
      // The node leaves out the round the chain holds, which the chain would refuse as a payload.
      expect(closing.tag === Tag.ChannelCloseSoloTx && closing.payload).toBe(null);
      await until(() => I.status === 'closing' && R.status === 'closing', 60_000);
    } finally {
      close();
    }
  }, 120_000);
});
