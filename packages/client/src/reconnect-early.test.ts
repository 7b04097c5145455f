/**
 * Reconnecting before the channel opened (the recorded sc_ws_reconnect_early): the store holds
 * only the create tx this client signed. There is no co-signed state to name, so the reestablish
 * query has no `offchain_tx`, and none to sync with the FSM that kept running; the client waits for
 * the node to finish the opening, and takes the co-signed create tx as round 1.
 */
import { channelIdFromCreateTx, encode, generateKeyPair, signTx, unpackTx, type Encoded } from '@ch/codec';
import { afterEach, expect, test } from 'vitest';
import { Channel } from './channel.js';
import { secretKeySigner } from './signer.js';
import { MemoryStore } from './store/store.js';
import { seedCreateTx, startScriptedNode, type Json, type ScriptedConnection, type ScriptedNode } from './test-support/scripted-node.js';
import { NETWORK_ID, SEED_TERMS } from './test-support/terms.js';

let node: ScriptedNode | undefined;
afterEach(() => node?.stop());

test('a reestablish before the channel opened names no state, asks for none, and opens on the co-signed create tx', async () => {
  const [i, r] = [generateKeyPair(), generateKeyPair()];
  const fsmId = encode(new Uint8Array(32).fill(7), 'ba');
  const connections: ScriptedConnection[] = [];
  let connected!: () => void;
  node = await startScriptedNode((conn) => {
    connections.push(conn);
    connected();
  });
  const next = (): Promise<ScriptedConnection> => new Promise<void>((resolve) => (connected = resolve)).then(() => connections.at(-1)!);
  const store = new MemoryStore();
  const signer = secretKeySigner(i.secretKey);

  // Open, sign the create tx, and lose the socket before the channel is open.
  const first = next();
  const opening = Channel.open({ url: node.url, role: 'initiator', networkId: NETWORK_ID, initiatorId: i.publicKey, responderId: r.publicKey, ...SEED_TERMS, signer, store });
  const conn = await first;
  const { create } = seedCreateTx(i, r);
  conn.notify('channels.info', { event: 'fsm_up', fsm_id: fsmId });
  conn.notify('channels.info', { event: 'channel_accept' });
  conn.notify('channels.sign.initiator_sign', { signed_tx: create, updates: [] });
  const signed = await conn.nextMethod('channels.initiator_sign');
  conn.reply(signed, 'ok');
  const ours = (signed.params as Json).signed_tx as Encoded<'tx'>;
  const channelId = channelIdFromCreateTx(unpackTx(ours));
  conn.close();
  await expect(opening).rejects.toThrow(/closed/);

  // Back to the FSM that kept running.
  const second = next();
  const back = Channel.reestablish({ url: node.url, channelId, store, signer, timeouts: { open: 5000 } });
  const again = await second;
  expect(Object.fromEntries(again.query)).toEqual({ protocol: 'json-rpc', role: 'initiator', port: '3333', host: 'localhost', existing_channel_id: channelId, existing_fsm_id: fsmId });
  again.channelId = channelId;
  again.notify('channels.info', { event: 'fsm_up', fsm_id: fsmId });
  again.notify('channels.info', { event: 'open' });
  const coSigned = signTx(ours, r.secretKey, NETWORK_ID);
  again.notify('channels.update', { state: coSigned });
  const channel = await back;
  expect([channel.status, channel.round, channel.state?.tx]).toEqual(['open', 1n, coSigned]);
  expect(again.received).toEqual([]);
  channel.disconnect();
});
