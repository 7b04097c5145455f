/**
 * The fee (and the optional params) a client gives an on-chain request, replayed from the recorded
 * logs: each session receives what the recorded one did, and the tx the node builds on each such
 * request (or on a channel opened with a `fee`) carries that fee. The `set_fee` logs were
 * recorded on Lima.
 */
import { afterEach, expect, test } from 'vitest';
import type { Json } from '../test-support/client.js';
import { feesToSign, FlowRunner } from '../test-support/flows.js';

const runner = new FlowRunner();
afterEach(() => runner.stop());

const NAMES = ['create', 'deposit', 'withdrawal', 'close_solo', 'settle', 'slash', 'snapshot'].flatMap((kind) => [`optional_params_${kind}`, `set_fee_${kind}`]);

test.each([...NAMES, 'set_fee_close_mutual'])('changeable_fee/sc_ws_%s.json', async (name) => {
  const r = await runner.play(`changeable_fee/sc_ws_${name}.json`, { lima: name.startsWith('set_fee'), slash: name.endsWith('slash') });
  const { got, want } = runner.compared();
  expect(got).toEqual(want);
  // The fees the recorded clients named: in requests, and in the initiator's opening (the create tx).
  const named = r.steps.flatMap((s) => {
    const fee = s.dir === 'send' ? ((s.message?.params as Json | undefined)?.fee as number | bigint | undefined) : s.event === 'ws_open' && s.actor === 'initiator' ? s.query?.fee : undefined;
    return fee === undefined ? [] : [BigInt(fee)];
  });
  expect(named.length).toBeGreaterThan(0);
  const signed = feesToSign(r);
  for (const fee of new Set(named)) expect(signed.filter((f) => f === fee).length).toBeGreaterThanOrEqual(named.filter((f) => f === fee).length);
  expect(runner.checkHashes('initiator')).toBeGreaterThan(0);
});
