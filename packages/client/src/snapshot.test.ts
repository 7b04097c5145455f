/**
 * A snapshot is posted by the node once we signed it, and the node is open again at once: the
 * recorded sc_ws_snapshot_solo goes on with transfers long before the snapshot is mined. The
 * client's own next operation must not wait for it; the snapshot resolves when reported on chain.
 */
import { Tag, type Encoded } from '@ch/codec';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { openScripted, unsigned, type Json, type ScriptedSession } from './test-support/scripted-node.js';

let session: ScriptedSession;

beforeEach(async () => {
  session = await openScripted();
});

afterEach(() => session.close());

test("a transfer starts while the signed snapshot waits to be mined; the snapshot resolves once it is", async () => {
  const { conn, channel, opened, i, r } = session;
  const snapshot = channel.snapshot();
  const request = await conn.nextMethod('channels.snapshot_solo');
  conn.reply(request, 'ok');
  // Our last state is the create tx, which is on chain already: the payload is empty.
  const tx = unsigned({ tag: Tag.ChannelSnapshotSoloTx, version: 1, channelId: opened.channelId, fromId: i.publicKey, payload: null, ttl: 0n, fee: 20_000n, nonce: 2n });
  conn.notify('channels.sign.snapshot_solo_tx', { signed_tx: tx, updates: [] });
  const signed = ((await conn.nextMethod('channels.snapshot_solo_sign')).params as Json).signed_tx as Encoded<'tx'>;

  // Left pending: the scripted node never asks to sign it, and closing the session ends it.
  channel.transfer(i.publicKey, r.publicKey, 1n).catch(() => undefined);
  expect((await conn.nextMethod('channels.update.new', 2000)).params).toEqual({ from: i.publicKey, to: r.publicKey, amount: 1 });
  expect(channel.status).toBe('open');

  conn.notify('channels.on_chain_tx', { info: 'channel_changed', tx: signed, type: 'channel_snapshot_solo_tx' });
  expect(await snapshot).toBe(signed);
});
