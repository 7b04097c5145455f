/**
 * Test scaffolding: a local node (@ch/node) with two funded accounts, and the two clients of a
 * channel opened on it with the seed's terms. Everything runs over real WebSockets on 127.0.0.1.
 */
import { generateKeyPair, type KeyPair } from '@ch/codec';
import { startNode, type NodeOptions, type ProfileName, type RunningNode } from '@ch/node';
import { Channel } from '../channel.js';
import type { OpenOptions } from '../options.js';
import { secretKeySigner } from '../signer.js';
import { MemoryStore } from '../store/store.js';

import { NETWORK_ID, SEED_TERMS } from './terms.js';

export { NETWORK_ID, SEED_TERMS };

export interface Pair {
  readonly node: RunningNode;
  readonly initiator: Channel;
  readonly responder: Channel;
  readonly i: KeyPair;
  readonly r: KeyPair;
  /** Disconnects both clients and stops the node. */
  close(): Promise<void>;
}

export type Side = Partial<Omit<OpenOptions, 'role' | 'url' | 'initiatorId' | 'responderId'>>;

export async function startTestNode(profile: ProfileName, keys: readonly KeyPair[], options: Pick<NodeOptions, 'mining'> = {}): Promise<RunningNode> {
  return startNode({ networkId: NETWORK_ID, profile, accounts: keys.map((k) => ({ publicKey: k.publicKey, balance: 10n ** 21n })), ...options });
}

/** Both sides' open options for a channel between `i` and `r` on `node`. */
export function openOptions(node: RunningNode, i: KeyPair, r: KeyPair, role: 'initiator' | 'responder', side: Side = {}): OpenOptions {
  const key = role === 'initiator' ? i : r;
  return {
    url: node.url,
    role,
    networkId: NETWORK_ID,
    initiatorId: i.publicKey,
    responderId: r.publicKey,
    ...SEED_TERMS,
    port: 13179,
    minimumDepth: 0,
    signer: secretKeySigner(key.secretKey),
    // Tests that are about persistence pass their own; the default would write to the working directory.
    store: new MemoryStore(),
    timeouts: { open: 20_000, update: 20_000 },
    ...side,
  };
}

/** A node and an open channel on it, seed terms, both clients ours. */
export async function openPair(
  profile: ProfileName,
  sides: { initiator?: Side; responder?: Side } = {},
  { i, r }: { i: KeyPair; r: KeyPair } = { i: generateKeyPair(), r: generateKeyPair() },
): Promise<Pair> {
  const node = await startTestNode(profile, [i, r]);
  const opened = await Promise.allSettled([
    Channel.open(openOptions(node, i, r, 'initiator', sides.initiator)),
    Channel.open(openOptions(node, i, r, 'responder', sides.responder)),
  ]);
  if (opened[0].status === 'rejected' || opened[1].status === 'rejected') {
    for (const o of opened) if (o.status === 'fulfilled') o.value.disconnect();
    await node.stop();
    throw opened.find((o): o is PromiseRejectedResult => o.status === 'rejected')!.reason;
  }
  const [initiator, responder] = [opened[0].value, opened[1].value];
  return {
    node,
    initiator,
    responder,
    i,
    r,
    async close() {
      initiator.disconnect();
      responder.disconnect();
      await node.stop();
    },
  };
}
