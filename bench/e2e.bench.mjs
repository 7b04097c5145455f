// End to end, one channel: both clients and @ch/node in one process, off-chain transfers driven
// through @ch/client and through aepp-sdk-js's Channel (as shipped, and with a node:crypto signer
// callback) against the same local node. Each side of each case runs in a fresh process.
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startNode } from '@ch/node';
import { Channel, generateKeyPair, secretKeySigner } from '@ch/client';
import { signTx } from '@ch/codec';

const requireFromBench = createRequire(fileURLToPath(new URL('./package.json', import.meta.url)));
const loadSdk = async () => {
  const sdk = await import(requireFromBench.resolve('@aeternity/aepp-sdk'));
  return sdk.default ?? sdk;
};

// aepp-sdk-js 14 builds and accepts only Iris+ transactions (create v2), i.e. the `current' profile.
const NETWORK_ID = 'ae_channel_bench';
const TRANSFERS = 400;
const AMOUNTS = { initiatorAmount: 10n ** 15n, responderAmount: 10n ** 15n, pushAmount: 0n, channelReserve: 1n, lockPeriod: 10n };

async function withNode(fn) {
  const [a, b] = [generateKeyPair(), generateKeyPair()];
  const node = await startNode({ port: 0, networkId: NETWORK_ID, profile: 'current', accounts: [a, b].map((k) => ({ publicKey: k.publicKey, balance: 10n ** 20n })) });
  try {
    return await fn(node, a, b);
  } finally {
    await node.stop();
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `transfer()` TRANSFERS times in sequence; rate and latency percentiles. */
async function sequential(transfer) {
  for (let i = 0; i < 20; i++) await transfer(); // warm-up
  const latencies = [];
  const start = performance.now();
  for (let i = 0; i < TRANSFERS; i++) {
    const t = performance.now();
    await transfer();
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((x, y) => x - y);
  return { value: TRANSFERS / seconds, extra: { p50ms: percentile(latencies, 50), p99ms: percentile(latencies, 99) } };
}

async function oursSequential() {
  return withNode(async (node, a, b) => {
    const terms = { url: node.url, networkId: NETWORK_ID, initiatorId: a.publicKey, responderId: b.publicKey, ...AMOUNTS };
    const [ci, cr] = await Promise.all([
      Channel.open({ ...terms, role: 'initiator', signer: secretKeySigner(a.secretKey) }),
      Channel.open({ ...terms, role: 'responder', signer: secretKeySigner(b.secretKey) }),
    ]);
    const result = await sequential(() => ci.transfer(a.publicKey, b.publicKey, 1n));
    ci.disconnect();
    cr.disconnect();
    return result;
  });
}

async function sdkSequential(nativeSigner) {
  const sdk = await loadSdk();
  return withNode(async (node, a, b) => {
    const account = (k) => new sdk.MemoryAccount(sdk.encode(k.secretKey.slice(0, 32), sdk.Encoding.AccountSecretKey));
    // The native signer signs what aepp-sdk-js signs (network id ++ blake2b(tx)), with node:crypto.
    const signer = (k) => (nativeSigner ? async (_tag, tx) => signTx(tx, k.secretKey, NETWORK_ID, { hashed: true }) : (_tag, tx) => account(k).signTransaction(tx, { networkId: NETWORK_ID }));
    const common = { url: node.url, initiatorId: a.publicKey, responderId: b.publicKey, ...AMOUNTS, host: 'localhost', port: 3001, minimumDepth: 0 };
    const [ci, cr] = await Promise.all([
      sdk.Channel.initialize({ ...common, role: 'initiator', sign: signer(a) }),
      sdk.Channel.initialize({ ...common, role: 'responder', sign: signer(b) }),
    ]);
    for (const c of [ci, cr]) c.on('error', () => {});
    await new Promise((resolve, reject) => {
      const timer = setInterval(() => ci.status() === 'open' && cr.status() === 'open' && (clearInterval(timer), resolve()), 20);
      setTimeout(() => (clearInterval(timer), reject(new Error('aepp-sdk-js channel did not open'))), 20_000);
    });
    const sign = signer(a);
    const result = await sequential(() => ci.update(a.publicKey, b.publicKey, 1, (tx) => sign('', tx)));
    ci.disconnect();
    cr.disconnect();
    return result;
  });
}

export const cases = {
  'e2e sequential transfers, as shipped': {
    unit: 'transfers/s',
    peerName: 'aepp-sdk-js 14.1.1 (tweetnacl)',
    target: 'ratio >= 20',
    ours: async () => ({ run: oursSequential }),
    peer: async () => ({ run: () => sdkSequential(false) }),
  },
  'e2e sequential transfers, native signer for the peer': {
    unit: 'transfers/s',
    peerName: 'aepp-sdk-js 14.1.1 (node:crypto signer)',
    target: 'ratio >= 2',
    ours: async () => ({ run: oursSequential }),
    peer: async () => ({ run: () => sdkSequential(true) }),
  },
};
