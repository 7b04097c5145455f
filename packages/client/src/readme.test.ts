import { generateKeyPair, toHex } from '@ch/codec';
import { startNode, type RunningNode } from '@ch/node';
import { afterAll, beforeAll } from 'vitest';
import { testReadmeExamples } from '../../../tools/readme-examples.js';

// The examples talk to a node, as a user's would: this one, with the two accounts they use funded.
let node: RunningNode;
beforeAll(async () => {
  const alice = generateKeyPair();
  const bob = generateKeyPair();
  node = await startNode({ networkId: 'local_lima_testnet', profile: 'current', accounts: [alice, bob].map((k) => ({ publicKey: k.publicKey, balance: 10n ** 21n })) });
  process.env.CH_NODE_URL = node.url;
  process.env.CH_ALICE_SECRET = toHex(alice.secretKey);
  process.env.CH_BOB_SECRET = toHex(bob.secretKey);
});
afterAll(() => node.stop());

testReadmeExamples('@ch/client', new URL('../', import.meta.url), 5);
