/**
 * What one participant does on chain alone, replayed from the recorded logs: snapshots, a solo
 * close and the settle after the lock, a slash of a solo close on an older state, and aborting
 * each signature. The proofs of inclusion the node builds are codec's `poiFromState` of the
 * channel's latest state (checked with the state hashes).
 */
import { decode, decodePoi, encode, poiHash, Tag, toHex, unpackTx, type Encoded } from '@ch/codec';
import { afterEach, expect, test } from 'vitest';
import type { Json } from '../test-support/client.js';
import { FlowRunner, type PlayOptions } from '../test-support/flows.js';

const runner = new FlowRunner();
afterEach(() => runner.stop());

async function expectRecorded(file: string, options: PlayOptions = {}, racyTails: { [session: number]: number } = {}): Promise<void> {
  await runner.play(file, options);
  const { got, want } = runner.compared(racyTails);
  expect(got).toEqual(want);
  expect(runner.checkHashes('initiator')).toBeGreaterThan(1);
  expect(runner.checkHashes('responder')).toBeGreaterThan(1);
}

test('sc_ws_snapshot_solo: 1012 on the create tx, 1013 on a state on chain', async () => {
  await expectRecorded('sc_ws_snapshot_solo.json');
});

test('sc_ws_close_solo: a solo close, then the settle once the lock expires', async () => {
  await expectRecorded('sc_ws_close_solo.json');
});

test('sc_ws_slash: a solo close on an older state is slashed, then settled', async () => {
  await expectRecorded('sc_ws_slash.json', { slash: true });
  // `channels.get.poi` proves the state the channel was at: the create tx's, before any update.
  const { initiator } = runner.flow!.keys;
  const [first] = runner.replay!.of('initiator');
  const data = (m: Json) => (m.params as Json).data as Json;
  const poi = data(first!.client.received.find((m) => m.method === 'channels.get.poi.reply')!).poi as Encoded<'pi'>;
  const created = unpackTx(data(first!.client.received.find((m) => m.method === 'channels.update')!).state as Encoded<'tx'>, Tag.SignedTx).encodedTx;
  expect('stateHash' in created && created.stateHash).toBe(encode(poiHash(poi), 'st'));
  expect(decodePoi(poi).balances.has(toHex(decode(initiator.publicKey, 'ak')))).toBe(true);
});

test.each(['abort_updates/sc_ws_abort_snapshot_solo.json', 'abort_updates/sc_ws_abort_settle.json'])('%s', async (file) => {
  await expectRecorded(file);
});

test('abort_updates/sc_ws_abort_slash.json: slashes aborted, four channels', async () => {
  // The third channel's responder saw the solo close only after it had asked to stop; here the block comes first.
  await expectRecorded('abort_updates/sc_ws_abort_slash.json', { slash: true }, { 5: 4 });
});
