// End to end, one channel: both clients and @ch/node in one process, off-chain transfers driven
// through @ch/client and through aepp-sdk-js's Channel (as shipped, and with a node:crypto signer
// callback) against the same local node; then the ed25519 ceiling of that stack. Each side of each
// case runs in a fresh process.
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startNode } from '@ch/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Channel, LogStore, MemoryStore, generateKeyPair, secretKeySigner } from '@ch/client';
import { buildTx, decode, signTx, unpackTx } from '@ch/codec';
import { measure } from './harness.mjs';

const requireFromBench = createRequire(fileURLToPath(new URL('./package.json', import.meta.url)));
const loadSdk = async () => {
  const sdk = await import(requireFromBench.resolve('@aeternity/aepp-sdk'));
  return sdk.default ?? sdk;
};

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

function latencies(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return { p50ms: percentile(sorted, 50), p99ms: percentile(sorted, 99) };
}

/** Runs `transfer()` in sequence, TRANSFERS times or for RUN_MS, whichever ends first; rate and latency percentiles. */
async function sequential(transfer) {
  for (let i = 0; i < WARMUP; i++) await transfer();
  const times = [];
  const start = performance.now();
  while (times.length < TRANSFERS && performance.now() - start < RUN_MS) {
    const t = performance.now();
    await transfer();
    times.push(performance.now() - t);
  }
  const seconds = (performance.now() - start) / 1000;
  return { value: times.length / seconds, extra: { transfers: times.length, ...latencies(times) } };
}

/**
 * Both clients send at once: each side makes TRANSFERS_PER_SIDE transfers (or as many as it starts
 * within RUN_MS), one after the other, to the other side. `send(side)` resolves true if its transfer was co-signed, false if it lost a race
 * (a conflict), and throws on anything else (counted as an error, and retried like a conflict). Two sides that collided and resend at once collide
 * again in lockstep (in one process both see the conflict at the same moment), so a side that lost
 * waits a random delay below a cap that doubles with each loss (full jitter, as @ch/client's
 * RetryPolicy does), the same for both clients measured. Counts co-signed transfers per second of
 * both sides together, the conflicts on the way, and each transfer's latency from its first
 * attempt; `round()` cross-checks the count.
 */
async function bothSides(send, round) {
  for (let i = 0; i < WARMUP; i++) await send(i % 2 === 0 ? 'initiator' : 'responder');
  const counts = { coSigned: 0, conflicts: 0, errors: 0, stalled: 0 };
  const times = [];
  let firstError;
  const attempt = async (name) => {
    let timer;
    const stall = new Promise((resolve) => (timer = setTimeout(resolve, STALL_MS, 'stalled')));
    try {
      return await Promise.race([send(name).then((ok) => (ok ? 'coSigned' : 'conflicts')), stall]);
    } catch (e) {
      firstError ??= `${name}: ${String(e?.message ?? e).slice(0, 160)}`;
      return 'errors';
    } finally {
      clearTimeout(timer);
    }
  };
  let start;
  const side = async (name) => {
    for (let i = 0; i < TRANSFERS_PER_SIDE && performance.now() - start < RUN_MS; i++) {
      const t = performance.now();
      for (let lost = 0; ; lost++) {
        const outcome = await attempt(name);
        counts[outcome]++;
        if (outcome === 'coSigned') {
          times.push(performance.now() - t);
          break;
        }
        // A stalled client is left alone; an error (aepp-sdk-js rejects an update when the
        // peer's proposal arrives meanwhile) is a lost attempt, unless it keeps happening.
        if (outcome === 'stalled' || (outcome === 'errors' && lost >= MAX_LOST)) return;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, BACKOFF_MS * 2 ** lost)));
      }
    }
  };
  const before = round();
  start = performance.now();
  await Promise.all([side('initiator'), side('responder')]);
  const seconds = (performance.now() - start) / 1000;
  const roundsAdvanced = Number(round() - before);
  return {
    value: counts.coSigned / seconds,
    extra: { ...counts, roundsAdvanced, ...latencies(times), ...(firstError && { firstError }) },
  };
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

const isRace = (e) => e?.name === 'ConflictError' || (e?.name === 'RpcRequestError' && typeof e.hasDataCode === 'function' && e.hasDataCode(107));

async function oursSequential(options) {
  return withNode(async (node, a, b) => {
    const [ci, , close] = await openOurs(node, a, b, options);
    try {
      return await sequential(() => ci.transfer(a.publicKey, b.publicKey, 1n));
    } finally {
      close();
    }
  });
}

async function oursBothSides() {
  return withNode(async (node, a, b) => {
    const [ci, cr, close] = await openOurs(node, a, b);
    const send = (side) =>
      (side === 'initiator' ? ci.transfer(a.publicKey, b.publicKey, 1n) : cr.transfer(b.publicKey, a.publicKey, 1n)).then(
        () => true,
        (e) => {
          if (isRace(e)) return false;
          throw e;
        },
      );
    try {
      return await bothSides(send, () => ci.round);
    } finally {
      close();
    }
  });
}

/** aepp-sdk-js channels for `a` and `b`, open; `update(side)` makes one transfer from that side. */
async function openSdk(node, a, b, nativeSigner) {
  const sdk = await loadSdk();
  const account = (k) => new sdk.MemoryAccount(sdk.encode(k.secretKey.slice(0, 32), sdk.Encoding.AccountSecretKey));
  // The native signer signs what aepp-sdk-js signs (network id ++ blake2b(tx)), with node:crypto.
  const signer = (k) => {
    if (nativeSigner) return async (_tag, tx) => signTx(tx, k.secretKey, NETWORK_ID, { hashed: true });
    const acc = account(k);
    return (_tag, tx) => acc.signTransaction(tx, { networkId: NETWORK_ID });
  };
  const [signA, signB] = [signer(a), signer(b)];
  const common = { url: node.url, initiatorId: a.publicKey, responderId: b.publicKey, ...AMOUNTS, host: 'localhost', port: 3001, minimumDepth: 0 };
  const [ci, cr] = await Promise.all([
    sdk.Channel.initialize({ ...common, role: 'initiator', sign: signA }),
    sdk.Channel.initialize({ ...common, role: 'responder', sign: signB }),
  ]);
  for (const c of [ci, cr]) c.on('error', () => {});
  await new Promise((resolve, reject) => {
    const timer = setInterval(() => ci.status() === 'open' && cr.status() === 'open' && (clearInterval(timer), resolve()), 20);
    setTimeout(() => (clearInterval(timer), reject(new Error('aepp-sdk-js channel did not open'))), 20_000);
  });
  const update = (side) =>
    side === 'initiator' ? ci.update(a.publicKey, b.publicKey, 1, (tx) => signA('', tx)) : cr.update(b.publicKey, a.publicKey, 1, (tx) => signB('', tx));
  return { ci, cr, update };
}

async function sdkSequential(nativeSigner) {
  return withNode(async (node, a, b) => {
    const { ci, cr, update } = await openSdk(node, a, b, nativeSigner);
    const result = await sequential(() => update('initiator'));
    ci.disconnect();
    cr.disconnect();
    return result;
  });
}

async function sdkBothSides(nativeSigner) {
  return withNode(async (node, a, b) => {
    const { ci, cr, update } = await openSdk(node, a, b, nativeSigner);
    // A lost race resolves `{ accepted: false }` (channels.conflict or aborted_update).
    const result = await bothSides(async (side) => (await update(side)).accepted === true, () => BigInt(ci.round() ?? 0));
    ci.disconnect();
    cr.disconnect();
    return result;
  });
}

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
  const counts = { sign: 0, verify: 0 };
  for (const name of ['sign', 'verify']) {
    const original = crypto[name];
    crypto[name] = function counted(...args) {
      counts[name]++;
      return original.apply(this, args);
    };
  }
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
