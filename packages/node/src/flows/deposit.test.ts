/**
 * Deposits and withdrawals replayed from the recorded logs: each session must receive what the
 * recorded client did, in the same order, compared on method, info event, on-chain info and error
 * codes; blocks come when the log shows the chain moved. Every state hash the node sent is codec's.
 */
import { afterEach, expect, test } from 'vitest';
import { FlowRunner, type PlayOptions } from '../test-support/flows.js';

const runner = new FlowRunner();
afterEach(() => runner.stop());

async function expectRecorded(file: string, options: PlayOptions = {}): Promise<void> {
  await runner.play(file, options);
  const { got, want } = runner.compared();
  expect(got).toEqual(want);
  expect(runner.checkHashes('initiator')).toBeGreaterThan(2);
  expect(runner.checkHashes('responder')).toBeGreaterThan(2);
}

test.each(['continuous/sc_ws_deposit.json', 'continuous/sc_ws_withdraw.json'])('%s', async (file) => {
  await expectRecorded(file, { init: 'continuous/init_per_group.json' });
});

test.each(['abort_updates/sc_ws_abort_deposit.json', 'abort_updates/sc_ws_abort_withdraw.json'])('%s', async (file) => {
  await expectRecorded(file);
});

// Each side proposes at once; each gets one conflict, and neither round is taken.
test.each([
  'sc_ws_conflict_deposit_and_offchain_update.json',
  'sc_ws_conflict_two_deposits.json',
  'sc_ws_conflict_two_withdrawals.json',
  'sc_ws_conflict_withdrawal_and_deposit.json',
  'sc_ws_conflict_withdrawal_and_offchain_update.json',
  'sc_ws_conflict_two_offchain_updates.json',
])('both_sign/conflicts/%s', async (file) => {
  await expectRecorded(`both_sign/conflicts/${file}`, { init: 'both_sign/init_per_group.json' });
});
