// End to end, one channel: both clients and @ch/node in one process, off-chain transfers driven
// through @ch/client and through aepp-sdk-js's Channel (as shipped, and with a node:crypto signer
// callback) against the same local node; then the ed25519 ceiling of that stack. Each side of each
// case runs in a fresh process.
import crypto from 'node:crypto';
import { startNode } from '@ch/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Channel, LogStore, MemoryStore, generateKeyPair, secretKeySigner } from '@ch/client';
import { buildTx, decode, unpackTx } from '@ch/codec';
import { bothSides, oursSend, sequential, withSdk } from './e2e-drivers.mjs';
import { countEd25519Calls, measure } from './harness.mjs';

// aepp-sdk-js 14 builds and accepts only Iris+ transactions (create v2), i.e. the `current' profile.
const NETWORK_ID = 'ae_channel_bench';
const TRANSFERS = 400;
/** A run also ends after this long, so that the slowest client measured (aepp-sdk-js with
 * tweetnacl, ~60/s) does not take most of `pnpm bench`'s ten minutes. */
const RUN_MS = 3_000;
const WARMUP = 20;
/** Transfers per side when both send; a side whose attempt takes longer than STALL_MS stops. */
const TRANSFERS_PER_SIDE = 200;
const STALL_MS = 5_000;
/** The first cap of the random wait after a lost race, in ms; it doubles with each loss. */
const BACKOFF_MS = 2;
/** Attempts of one transfer that may fail in a row before its side gives up. */
const MAX_LOST = 10;
const SEQUENTIAL = { transfers: TRANSFERS, runMs: RUN_MS, warmup: WARMUP };
const BOTH_SIDES = { perSide: TRANSFERS_PER_SIDE, runMs: RUN_MS, warmup: WARMUP, stallMs: STALL_MS, backoffMs: BACKOFF_MS, maxLost: MAX_LOST };
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

/**
 * Our two clients, open. aepp-sdk-js keeps its states in memory only, so to compare client code our
 * clients keep theirs in a MemoryStore too; `durable` gives them the default instead, a LogStore
 * that appends every co-signed state and flushes (fdatasync) each one that must be durable before
 * a signature goes out (here in a fresh temp directory, both clients in it as in one process).
 */
async function openOurs(node, a, b, { durable = false } = {}) {
  const terms = { url: node.url, networkId: NETWORK_ID, initiatorId: a.publicKey, responderId: b.publicKey, ...AMOUNTS };
  const directory = durable ? mkdtempSync(join(tmpdir(), 'ch-bench-')) : undefined;
  const store = () => (directory ? new LogStore(directory) : new MemoryStore());
  const channels = await Promise.all([
    Channel.open({ ...terms, role: 'initiator', signer: secretKeySigner(a.secretKey), store: store() }),
    Channel.open({ ...terms, role: 'responder', signer: secretKeySigner(b.secretKey), store: store() }),
  ]);
  const close = () => {
    for (const c of channels) c.disconnect();
    if (directory) rmSync(directory, { recursive: true, force: true });
  };
  return [...channels, close];
}

async function oursSequential(options) {
  return withNode(async (node, a, b) => {
    const [ci, , close] = await openOurs(node, a, b, options);
    try {
      return await sequential(() => ci.transfer(a.publicKey, b.publicKey, 1n), SEQUENTIAL);
    } finally {
      close();
    }
  });
}

async function oursBothSides() {
  return withNode(async (node, a, b) => {
    const [ci, cr, close] = await openOurs(node, a, b);
    try {
      return await bothSides(oursSend(ci, cr, a, b), () => ci.round, BOTH_SIDES);
    } finally {
      close();
    }
  });
}

/** `drive(channel)` on aepp-sdk-js channels for `a` and `b` on the local node. */
const sdkOnNode = (nativeSigner, drive) =>
  withNode((node, a, b) => withSdk({ networkId: NETWORK_ID, a, b, options: { url: node.url, ...AMOUNTS, host: 'localhost', port: 3001, minimumDepth: 0 }, nativeSigner }, drive));

const sdkSequential = (nativeSigner) => sdkOnNode(nativeSigner, ({ update }) => sequential(() => update('initiator'), SEQUENTIAL));
// A lost race resolves `{ accepted: false }` (channels.conflict or aborted_update).
const sdkBothSides = (nativeSigner) => sdkOnNode(nativeSigner, ({ update, round }) => bothSides(async (side) => (await update(side)).accepted === true, round, BOTH_SIDES));

/**
 * The ed25519 ceiling of our stack: the signs and verifies one off-chain update needs, timed with
 * node:crypto on an update's own message, as updates per second of one core (the node and both
 * clients share one process, as in the cases above).
 *
 * What one transfer costs, read from the code (initiator proposes):
 * - initiator client: signs its proposal (1 sign); verifies the responder's signature in the
 *   co-signed state the node reports (co-signed-states.ts adopt → checks.ts signedBy, which skips
 *   the signature it verified itself) — 1 verify;
 * - node, initiator's FSM: verifies its client's signature (fsm/updates.ts proposalSigned) — 1;
 * - node, responder's FSM: the proposal's signature is the one just verified (fsm/auth.ts keeps
 *   verified signers per signed tx), so its check costs none; verifies its client's co-signature
 *   (ackSigned, only the new signature) — 1; the initiator's FSM then finds the co-signed tx verified;
 * - responder client: verifies the initiator's signature on the proposal (checks.ts
 *   checkSignRequest) — 1 verify; signs (1 sign); the co-signed state reported to it is the tx it
 *   returned, verified already.
 * That is 2 signs and 4 verifies. The case does not trust this count: it counts node:crypto's sign
 * and verify calls over a run of TRANSFERS sequential transfers in this process, and reports our
 * throughput in that run as a fraction of the ceiling.
 */
async function ceiling() {
  const counts = countEd25519Calls(crypto);
  const run = await withNode(async (node, a, b) => {
    const [ci, , close] = await openOurs(node, a, b);
    for (let i = 0; i < WARMUP; i++) await ci.transfer(a.publicKey, b.publicKey, 1n);
    counts.sign = counts.verify = 0;
    const start = performance.now();
    for (let i = 0; i < TRANSFERS; i++) await ci.transfer(a.publicKey, b.publicKey, 1n);
    const seconds = (performance.now() - start) / 1000;
    const perUpdate = { signs: counts.sign / TRANSFERS, verifies: counts.verify / TRANSFERS };
    const message = Buffer.concat([Buffer.from(NETWORK_ID), Buffer.from(decode(buildTx(unpackTx(ci.state.tx).encodedTx), 'tx'))]);
    close();
    return { rate: TRANSFERS / seconds, perUpdate, message };
  });
  // The timed work: the KeyObjects are built once, as the codec's native backend caches them.
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const signature = crypto.sign(null, run.message, privateKey);
  const batch = 200;
  const signsPerSecond = await measure(() => {
    for (let i = 0; i < batch; i++) crypto.sign(null, run.message, privateKey);
  }, { batch, rounds: 5, roundMs: 200 });
  const verifiesPerSecond = await measure(() => {
    for (let i = 0; i < batch; i++) crypto.verify(null, run.message, publicKey, signature);
  }, { batch, rounds: 5, roundMs: 200 });
  const secondsPerUpdate = run.perUpdate.signs / signsPerSecond + run.perUpdate.verifies / verifiesPerSecond;
  const value = 1 / secondsPerUpdate;
  return {
    value,
    extra: {
      signsPerUpdate: run.perUpdate.signs,
      verifiesPerUpdate: run.perUpdate.verifies,
      signUs: 1e6 / signsPerSecond,
      verifyUs: 1e6 / verifiesPerSecond,
      oursTransfersPerSecond: run.rate,
      fractionOfCeiling: run.rate / value,
    },
  };
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
    oursFrom: 'e2e sequential transfers, as shipped',
    peer: async () => ({ run: () => sdkSequential(true) }),
  },
  'e2e sequential transfers, ours with the default durable store': {
    // Ours against ours: the default LogStore against MemoryStore, each side in a fresh process,
    // paired runs alternating, so the ratio is what durability costs on this disk.
    unit: 'transfers/s',
    peerName: 'ours with MemoryStore',
    target: 'ratio >= 0.8',
    repeat: Math.max(5, Number(process.env.BENCH_REPEAT ?? 3)),
    ours: async () => ({ run: () => oursSequential({ durable: true }) }),
    peer: async () => ({ run: () => oursSequential() }),
  },
  'e2e both sides sending, as shipped': {
    unit: 'co-signed transfers/s',
    peerName: 'aepp-sdk-js 14.1.1 (tweetnacl)',
    target: 'ratio >= 20',
    ours: async () => ({ run: oursBothSides }),
    peer: async () => ({ run: () => sdkBothSides(false) }),
  },
  'e2e both sides sending, native signer for the peer': {
    unit: 'co-signed transfers/s',
    peerName: 'aepp-sdk-js 14.1.1 (node:crypto signer)',
    target: 'ratio >= 2',
    oursFrom: 'e2e both sides sending, as shipped',
    peer: async () => ({ run: () => sdkBothSides(true) }),
  },
  'ed25519 ceiling: the signs and verifies of one update, node:crypto': {
    unit: 'updates/s',
    target: 'ours >= 50% of it',
    ours: async () => ({ run: ceiling }),
  },
};
