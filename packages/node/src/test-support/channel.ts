/**
 * Test scaffolding: a node with two funded accounts and the two clients of a channel, opened the
 * way the transcripts open it (both sign the create tx; both wait for `open`).
 */
import { generateKeyPair, type KeyPair } from '@ch/codec';
import type { ProfileName } from '../profiles.js';
import { startNode, type RunningNode } from '../node.js';
import { event, TestClient, type Json } from './client.js';

export const NETWORK_ID = 'local_lima_testnet';

/** The seed's channel terms (continuous/init_per_group). */
export const SEED_TERMS = {
  protocol: 'json-rpc',
  lock_period: '10',
  push_amount: '1',
  initiator_amount: '70000000000000',
  responder_amount: '40000000000000',
  channel_reserve: '2',
  port: '13179',
  minimum_depth: '0',
} as const;

export interface OpenChannel {
  node: RunningNode;
  initiator: TestClient;
  responder: TestClient;
  i: KeyPair;
  r: KeyPair;
}

export async function startTestNode(profile: ProfileName, accounts: readonly KeyPair[]): Promise<RunningNode> {
  return startNode({
    networkId: NETWORK_ID,
    profile,
    accounts: accounts.map((k) => ({ publicKey: k.publicKey, balance: 10n ** 21n })),
  });
}

export async function connectPair(node: RunningNode, i: KeyPair, r: KeyPair, terms: Record<string, string> = SEED_TERMS): Promise<[TestClient, TestClient]> {
  const q = { ...terms, initiator_id: i.publicKey, responder_id: r.publicKey };
  const initiator = await TestClient.connect(node.url, { ...q, role: 'initiator', host: 'localhost' }, i, NETWORK_ID);
  const responder = await TestClient.connect(node.url, { ...q, role: 'responder' }, r, NETWORK_ID);
  return [initiator, responder];
}

/** A new pair connects and the initiator's `channels.system` ping gets its answer (returned): the node still serves new sessions. */
export async function pingFromNewPair(node: RunningNode, i: KeyPair, r: KeyPair): Promise<unknown> {
  const [I, R] = await connectPair(node, i, r);
  try {
    return (await I.nextReply(I.request('channels.system', { action: 'ping' }), 2000)).result;
  } finally {
    await Promise.all([I.close(), R.close()]);
  }
}

/** Opens a channel with the seed's terms and waits until both sides report the create tx. */
export async function openChannel(profile: ProfileName): Promise<OpenChannel> {
  const i = generateKeyPair();
  const r = generateKeyPair();
  const node = await startTestNode(profile, [i, r]);
  const [initiator, responder] = await connectPair(node, i, r);
  const create = await initiator.nextMethod('channels.sign.initiator_sign');
  initiator.request('channels.initiator_sign', { signed_tx: initiator.sign(create) });
  const fund = await responder.nextMethod('channels.sign.responder_sign');
  responder.request('channels.responder_sign', { signed_tx: responder.sign(fund) });
  for (const c of [initiator, responder]) {
    await c.next((m) => event(m) === 'open');
    await c.nextMethod('channels.update');
  }
  return { node, initiator, responder, i, r };
}

/** One transfer, proposed by `proposer` and co-signed by `other`, up to both `channels.update`s. */
export async function transfer(proposer: TestClient, other: TestClient, from: KeyPair, to: KeyPair, amount: number): Promise<void> {
  proposer.notify('channels.update.new', { from: from.publicKey, to: to.publicKey, amount });
  const sign = await proposer.nextMethod('channels.sign.update');
  proposer.request('channels.update', { signed_tx: proposer.sign(sign) });
  const ack = await other.nextMethod('channels.sign.update_ack');
  other.request('channels.update_ack', { signed_tx: other.sign(ack) });
  await proposer.nextMethod('channels.update');
  await other.nextMethod('channels.update');
}

export function data(m: Json): Json {
  return (m.params as Json).data as Json;
}

/** Closes both clients and stops the node (tests call it in afterEach). */
export async function closeChannel(c: OpenChannel | undefined): Promise<void> {
  await c?.initiator.close();
  await c?.responder.close();
  await c?.node.stop();
}
