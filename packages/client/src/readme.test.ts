import { DEV_BALANCE, devAccounts, startNode, type RunningNode } from '@ch/node';
import { afterAll, beforeAll } from 'vitest';
import { testReadmeExamples } from '../../../tools/readme-examples.js';

// The examples talk to a node, as a user's would: one with the accounts and network id of
// `npx ch-node`, whose printed secret keys they paste. Only its port differs (a free one).
let node: RunningNode;
beforeAll(async () => {
  node = await startNode({ networkId: 'ae_devnet', accounts: devAccounts().map((k) => ({ publicKey: k.publicKey, balance: DEV_BALANCE })) });
  process.env.CH_NODE_URL = node.url;
});
afterAll(() => node.stop());

testReadmeExamples('@ch/client', new URL('../', import.meta.url), 5);
