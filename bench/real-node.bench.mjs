// End to end against a node in its own process: the sequential and both-sides cases of
// e2e.bench.mjs, driven through @ch/client and through aepp-sdk-js's Channel against the real
// aeternity node, and through @ch/client against `ch-node`. Each side of each case runs in a fresh
// process that starts its own node; fewer transfers than in e2e.bench.mjs, as the real node makes
// about twenty a second. Without the real node its cases are left out, with one line saying why.
import { Channel, MemoryStore, generateKeyPair, secretKeySigner } from '@ch/client';
import { bothSides, oursSend, sequential, withSdk } from './e2e-drivers.mjs';
import { freePort } from '../tools/machine-lock.mjs';
import { realNodeMissing, withChNode, withRealNode } from './real-node.mjs';

const NETWORK_ID = 'ae_channel_bench';
const SEQUENTIAL = { transfers: 100, runMs: 10_000, warmup: 5 };
const BOTH_SIDES = { perSide: 50, runMs: 10_000, warmup: 4, stallMs: 10_000 };
const AMOUNTS = { initiatorAmount: 10n ** 15n, responderAmount: 10n ** 15n, pushAmount: 0n, channelReserve: 1n, lockPeriod: 10n };
// The real node's default `txfee` strategy asks a large channel for ~17,760 blocks before it opens.
const DEPTH = { minimumDepth: 1, minimumDepthStrategy: 'plain' };

const nodes = { real: withRealNode, chNode: withChNode };

/** Two funded key pairs, and `fn(url, a, b)` run against the node `kind` started for them. */
function onNode(kind, fn) {
  const [a, b] = [generateKeyPair(), generateKeyPair()];
  return nodes[kind](NETWORK_ID, [a, b].map((k) => ({ publicKey: k.publicKey, balance: 10n ** 20n })), ({ url }) => fn(url, a, b));
}

/** Our two clients (states in a MemoryStore, as aepp-sdk-js keeps them), open; the responder connects first. */
async function openOurs(url, a, b) {
  const terms = { url, networkId: NETWORK_ID, initiatorId: a.publicKey, responderId: b.publicKey, ...AMOUNTS, ...DEPTH, port: await freePort(), timeouts: { open: 60_000 } };
  const responder = Channel.connect({ ...terms, role: 'responder', signer: secretKeySigner(b.secretKey), store: new MemoryStore() });
  const initiator = Channel.connect({ ...terms, role: 'initiator', signer: secretKeySigner(a.secretKey), store: new MemoryStore() });
  const close = () => [initiator, responder].forEach((c) => c.disconnect());
  await Promise.all([initiator.opened, responder.opened]).catch((e) => {
    close();
    throw e;
  });
  return { initiator, responder, close };
}

const oursSequential = (kind) =>
  onNode(kind, async (url, a, b) => {
    const { initiator, close } = await openOurs(url, a, b);
    try {
      return await sequential(() => initiator.transfer(a.publicKey, b.publicKey, 1n), SEQUENTIAL);
    } finally {
      close();
    }
  });

const oursBothSides = (kind) =>
  onNode(kind, async (url, a, b) => {
    const { initiator, responder, close } = await openOurs(url, a, b);
    try {
      return await bothSides(oursSend(initiator, responder, a, b), () => initiator.round, BOTH_SIDES);
    } finally {
      close();
    }
  });

const sdkOnRealNode = (nativeSigner, drive) =>
  onNode('real', async (url, a, b) => withSdk({ networkId: NETWORK_ID, a, b, options: { url, ...AMOUNTS, ...DEPTH, host: 'localhost', port: await freePort() }, nativeSigner }, drive));

const sdkSequential = (nativeSigner) => sdkOnRealNode(nativeSigner, ({ update }) => sequential(() => update('initiator'), SEQUENTIAL));
// A lost race resolves `{ accepted: false }` (channels.conflict or aborted_update).
const sdkBothSides = (nativeSigner) => sdkOnRealNode(nativeSigner, ({ update, round }) => bothSides(async (side) => (await update(side)).accepted === true, round, BOTH_SIDES));

const SEQ = 'real node: e2e sequential transfers, as shipped';
const BOTH = 'real node: e2e both sides sending, as shipped';

const realNodeCases = {
  [SEQ]: {
    unit: 'transfers/s',
    peerName: 'aepp-sdk-js 14.1.1 (tweetnacl), real node',
    ours: async () => ({ run: () => oursSequential('real') }),
    peer: async () => ({ run: () => sdkSequential(false) }),
  },
  'real node: e2e sequential transfers, native signer for the peer': {
    unit: 'transfers/s',
    peerName: 'aepp-sdk-js 14.1.1 (node:crypto signer), real node',
    oursFrom: SEQ,
    peer: async () => ({ run: () => sdkSequential(true) }),
  },
  [BOTH]: {
    unit: 'co-signed transfers/s',
    peerName: 'aepp-sdk-js 14.1.1 (tweetnacl), real node',
    ours: async () => ({ run: () => oursBothSides('real') }),
    peer: async () => ({ run: () => sdkBothSides(false) }),
  },
  'real node: e2e both sides sending, native signer for the peer': {
    unit: 'co-signed transfers/s',
    peerName: 'aepp-sdk-js 14.1.1 (node:crypto signer), real node',
    oursFrom: BOTH,
    peer: async () => ({ run: () => sdkBothSides(true) }),
  },
};

/** Ours against `ch-node` in its own process: the same cases, the node process apart as the real node's is. */
const chNodeCases = {
  'ch-node process: e2e sequential transfers': {
    unit: 'transfers/s',
    ours: async () => ({ run: () => oursSequential('chNode') }),
  },
  'ch-node process: e2e both sides sending': {
    unit: 'co-signed transfers/s',
    ours: async () => ({ run: () => oursBothSides('chNode') }),
  },
};

if (realNodeMissing) console.warn(`real-node bench cases skipped: ${realNodeMissing}`);

export const cases = { ...(!realNodeMissing && realNodeCases), ...chNodeCases };
