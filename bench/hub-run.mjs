// One run of the hub bench, in the process that plays the hub (a bench case's fresh process): the
// node in a child process (hub-node.mjs), N customers in another (hub-customers.mjs), and here
// the hub, the responder of all N channels, played by @ch/client or by aepp-sdk-js's Channel.
// Customers send as fast as they are co-signed (and the hub too, with `hubSends`); everything
// measured is measured here, over a window after a warm-up: CPU time (process.cpuUsage), rounds
// the hub's channels advanced (co-signed updates), event-loop delay, RSS after a full GC, and
// node:crypto's signs and verifies, which the hub's ed25519 work is then timed from.
import crypto from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Channel, LogStore, MemoryStore, generateKeyPair, secretKeySigner } from '@ch/client';
import { buildTx, decode, signTx, unpackTx } from '@ch/codec';
import { loadSdk, oursSend } from './e2e-drivers.mjs';
import { countEd25519Calls, measure } from './harness.mjs';
import { AMOUNTS, NETWORK_ID, OPENING, PORT, child, inOrder, sendLoop, tally, withDeadline } from './hub-drivers.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const KiB = 1024;

// A full GC before each RSS reading; the flag cannot be given on the command line (run.mjs sets it).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const settledRss = () => {
  gc();
  gc();
  return process.memoryUsage().rss;
};

/** node:crypto's ed25519 signs and verifies, counted from here on. */
const calls = countEd25519Calls(crypto);

/** The hub's side of one channel, by @ch/client: `send()` is a transfer from the hub to the customer. */
async function oursHub({ url, hub, customer, store }) {
  const c = await Channel.open({ url, networkId: NETWORK_ID, initiatorId: customer.publicKey, responderId: hub.publicKey, ...AMOUNTS, port: PORT, role: 'responder', signer: secretKeySigner(hub.secretKey), store, timeouts: { open: 120_000 } });
  return { round: () => c.round, send: oursSend(undefined, c, customer, hub).bind(undefined, 'responder'), tx: () => c.state.tx, disconnect: () => c.disconnect() };
}

/**
 * The hub's side of one channel, by aepp-sdk-js's Channel: as shipped (tweetnacl) or with a
 * node:crypto signer, as bench/e2e-drivers.mjs signs for it.
 */
async function sdkHub({ sdk, url, hub, customer, nativeSigner, openMs }) {
  const account = new sdk.MemoryAccount(sdk.encode(hub.secretKey.slice(0, 32), sdk.Encoding.AccountSecretKey));
  const sign = nativeSigner ? async (_tag, tx) => signTx(tx, hub.secretKey, NETWORK_ID, { hashed: true }) : (_tag, tx) => account.signTransaction(tx, { networkId: NETWORK_ID });
  const c = await sdk.Channel.initialize({ url, ...AMOUNTS, host: 'localhost', port: PORT, minimumDepth: 0, initiatorId: customer.publicKey, responderId: hub.publicKey, role: 'responder', sign });
  c.on('error', () => {});
  if (c.status() !== 'open') await withDeadline(new Promise((resolve) => c.on('statusChanged', (s) => s === 'open' && resolve())), openMs, 'an aepp-sdk-js channel opening');
  return {
    round: () => BigInt(c.round() ?? 0),
    send: async () => (await c.update(hub.publicKey, customer.publicKey, 1, (tx) => sign('', tx))).accepted === true,
    disconnect: () => c.disconnect(),
  };
}

/** Ops/s of node:crypto's ed25519 sign and verify on `message`, KeyObjects built once (as the codec's native backend caches them). */
async function ed25519Rates(message) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const signature = crypto.sign(null, message, privateKey);
  const batch = 200;
  const options = { batch, rounds: 5, roundMs: 100, warmupMs: 100 };
  const signs = await measure(() => {
    for (let i = 0; i < batch; i++) crypto.sign(null, message, privateKey);
  }, options);
  const verifies = await measure(() => {
    for (let i = 0; i < batch; i++) crypto.verify(null, message, publicKey, signature);
  }, options);
  return { signs, verifies };
}

/**
 * With HUB_CPU_PROFILE=file, the window's CPU profile (the hub's, the window only) is written
 * there, for bench/profile.md; the run's figures then include the profiler's own cost.
 */
async function profiler() {
  const file = process.env.HUB_CPU_PROFILE;
  if (!file) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

const sum = (channels) => channels.reduce((total, c) => total + c.round(), 0n);
/** The delay histogram's timer fires every RESOLUTION_MS: what it records beyond that is the loop's delay. */
const RESOLUTION_MS = 10;
const delayMs = (ns) => +Math.max(0, ns / 1e6 - RESOLUTION_MS).toFixed(2);

/**
 * One run: `n` channels, the hub `side` ('ours' or 'sdk', `nativeSigner` for the latter), the
 * hub's store durable (the default LogStore) or a MemoryStore per channel; `hubSends` has the hub
 * send to every customer too. Measures over `runMs` after `warmupMs`; everything must be done
 * within `deadlineMs`. `value` is co-signed updates per second of the hub's CPU time.
 */
export async function runHub({ n, side, nativeSigner = false, durable = false, hubSends = false, warmupMs = 1_000, runMs = 3_000, deadlineMs }) {
  const started = performance.now();
  const phases = {};
  const phase = (name) => (phases[name] = Math.round(performance.now() - started));
  const sdk = side === 'sdk' ? await loadSdk() : undefined;
  const hub = generateKeyPair();
  const customers = Array.from({ length: n }, () => generateKeyPair());
  const baseline = settledRss();

  const node = child(here('./hub-node.mjs'));
  const buyers = child(here('./hub-customers.mjs'));
  const directory = durable ? mkdtempSync(join(tmpdir(), 'ch-hub-bench-')) : undefined;
  const shared = directory && new LogStore(directory);
  let channels = [];
  const left = () => deadlineMs - (performance.now() - started);
  try {
    await node.next('ready', 10_000);
    node.send({ networkId: NETWORK_ID, accounts: [hub, ...customers].map((k) => k.publicKey) });
    const { url } = await node.next('listening', 30_000);
    await buyers.next('ready', 10_000);
    buyers.send({ type: 'open', url, hubId: hub.publicKey, customers: customers.map((k) => Buffer.from(k.secretKey).toString('hex')) });
    const open = (i) =>
      side === 'ours'
        ? oursHub({ url, hub, customer: customers[i], store: shared ?? new MemoryStore() })
        : sdkHub({ sdk, url, hub, customer: customers[i], nativeSigner, openMs: 120_000 });
    channels = await withDeadline(inOrder(n, OPENING, open), left(), `opening ${n} channels`);
    await buyers.next('opened', left());
    phase('open');
    const opened = settledRss();

    const own = tally();
    buyers.send({ type: 'start' });
    const loops = hubSends ? channels.map((c) => sendLoop(c.send, own)) : [];
    // Warm until every channel could have made a transfer: with N = 1,000 the first wave of
    // proposals takes seconds, and a window opened within it would count signatures for updates
    // co-signed after it.
    const warm = sum(channels) + BigInt(n);
    const warmEnd = performance.now() + warmupMs;
    await withDeadline(
      (async () => {
        while (sum(channels) < warm || performance.now() < warmEnd) await new Promise((resolve) => setTimeout(resolve, 50));
      })(),
      left(),
      'warming up',
    );

    // The window: everything counted from here to its end.
    buyers.send({ type: 'mark' });
    own.mark();
    const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    delay.enable();
    const profiled = await profiler();
    calls.sign = calls.verify = 0;
    const rounds = sum(channels);
    const cpu = process.cpuUsage();
    const t = performance.now();
    await new Promise((resolve) => setTimeout(resolve, runMs));
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - t) / 1000;
    const updates = Number(sum(channels) - rounds);
    const counted = { ...calls };
    await profiled();
    delay.disable();
    buyers.send({ type: 'stop' });
    own.stop();
    const customerReport = await buyers.next('report', Math.min(30_000, left()));
    const { type: _, ...fromCustomers } = customerReport;
    await withDeadline(Promise.all(loops), 15_000, 'the hub finishing its transfers').catch(() => undefined);
    phase('run');
    const after = settledRss();
    if (updates === 0) throw new Error(`no update co-signed in ${runMs} ms: customers ${JSON.stringify(fromCustomers)}`);

    const cpuUs = (used.user + used.system) / updates;
    const extra = {
      channels: n,
      updatesPerSecond: updates / seconds,
      cpuUsPerUpdate: cpuUs,
      hubCpuShare: (used.user + used.system) / 1e6 / seconds,
      customerLatencyMs: { p50: fromCustomers.p50ms, p99: fromCustomers.p99ms },
      ...(hubSends && { hubSends: own.report() }),
      customers: { coSigned: fromCustomers.coSigned, conflicts: fromCustomers.conflicts, errors: fromCustomers.errors, ...(fromCustomers.firstError && { firstError: fromCustomers.firstError }) },
      eventLoopDelayMs: { p50: delayMs(delay.percentile(50)), p99: delayMs(delay.percentile(99)), max: delayMs(delay.max) },
      rssPerChannelKiB: { open: Math.round((opened - baseline) / n / KiB), afterRun: Math.round((after - baseline) / n / KiB) },
      signsPerUpdate: counted.sign / updates,
      verifiesPerUpdate: counted.verify / updates,
    };
    if (side === 'ours') {
      // The hub's ed25519 work, timed on an update's own message: its share of the hub's CPU is the
      // fraction of the client ceiling (1 / ed25519 time per update) the hub reaches.
      const message = Buffer.concat([Buffer.from(NETWORK_ID), Buffer.from(decode(buildTx(unpackTx(channels[0].tx()).encodedTx), 'tx'))]);
      const rates = await ed25519Rates(message);
      const ed25519Us = 1e6 * (extra.signsPerUpdate / rates.signs + extra.verifiesPerUpdate / rates.verifies);
      Object.assign(extra, { signUs: 1e6 / rates.signs, verifyUs: 1e6 / rates.verifies, ed25519UsPerUpdate: ed25519Us, fractionOfCeiling: ed25519Us / cpuUs });
    }
    extra.phasesMs = phases;
    return { value: (updates * 1e6) / (used.user + used.system), extra };
  } finally {
    for (const c of channels) c.disconnect();
    node.kill();
    buyers.kill();
    if (directory) rmSync(directory, { recursive: true, force: true });
  }
}

