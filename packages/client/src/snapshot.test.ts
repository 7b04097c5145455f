/**
 * A snapshot is posted by the node once we signed it, and the node is open again at once: the
 * recorded sc_ws_snapshot_solo goes on with transfers long before the snapshot is mined. The
 * client's own next operation must not wait for it; the snapshot resolves when reported on chain.
 */
import { Tag } from '@ch/codec';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { ScriptedChannelNode } from './test-support/scripted-channel.js';

let node: ScriptedChannelNode;

beforeEach(async () => {
  node = await ScriptedChannelNode.open();
  // A snapshot puts an off-chain round on chain (the chain takes no empty payload): make one.
  await node.peerTransfer(1_000n);
});

afterEach(() => node.close());

test('a transfer starts while the signed snapshot waits to be mined; the snapshot resolves once it is', async () => {
  const { channel, i, r } = node;
  const { settled } = await node.start((c) => c.snapshot(), 'channels.snapshot_solo');
  const answer = await node.ask('channels.sign.snapshot_solo_tx', { tx: node.solo(Tag.ChannelSnapshotSoloTx), updates: [] });
  const signed = answer.signed_tx!;
  expect(signed).toBeDefined();

  // Left pending: the scripted node never asks to sign it, and closing the session ends it.
  channel.transfer(i.publicKey, r.publicKey, 1n).catch(() => undefined);
  expect((await node.session.conn.nextMethod('channels.update.new', 2000)).params).toEqual({ from: i.publicKey, to: r.publicKey, amount: 1 });
  expect(channel.status).toBe('open');

  node.onChain(signed, 'channel_snapshot_solo_tx');
  expect(await settled).toEqual({ value: signed });
});
