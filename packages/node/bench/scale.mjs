// Thousands of channels opened at once on one local node, each driven by two raw JSON WebSocket
// clients (initiator and responder) that sign what the node asks them to with @ch/codec.
//
// The node runs in a child process, the clients in this one, so each process holds two sockets per
// channel and the child's RSS is the node's alone. 10,000 channels need 20,000 sockets per process,
// beyond this machine's default limit of 20,000 open files: this process raises its own limit (and
// so its child's) with prlimit where it may (root, or CAP_SYS_RESOURCE); where it may not, the
// count of channels is capped by the limit and the result says so.
//
// Run as `node scale.mjs serve`, this file is that child: it starts the node with the accounts it
// is sent, and answers RSS requests after a full GC.
import { execFileSync, fork } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { keyPairFromSecret, signTx } from '@ch/codec';
import WebSocket from 'ws';

const NETWORK_ID = 'local_iris_testnet';
const TERMS = {
  protocol: 'json-rpc',
  lock_period: '10',
  push_amount: '0',
  initiator_amount: '1000000000000',
  responder_amount: '1000000000000',
  channel_reserve: '1',
  port: '3015',
  minimum_depth: '0',
};
/** Sockets connecting at once: fewer than the server's listen backlog (511), so no SYN is dropped and retried a second later. */
const CONNECTING = 256;
/** Open files kept free in each process beyond the two sockets per channel. */
const FD_MARGIN = 64;
/** The open-file limit asked for: two sockets per channel for 10,000 channels, and room to spare. */
const FILE_LIMIT = 65_536;

const SIGN_REPLIES = {
  'channels.sign.initiator_sign': 'channels.initiator_sign',
  'channels.sign.responder_sign': 'channels.responder_sign',
  'channels.sign.update': 'channels.update',
  'channels.sign.update_ack': 'channels.update_ack',
};

/**
 * The clients sign with signTx through a backend of their own. The codec's native backend keeps
 * 1,024 keys and imports each from DER (~0.8 ms here, under OpenSSL 3): with 20,000 client keys
 * every signature would pay an import, and the clients rather than the node would be measured.
 * This one imports each key once, from JWK (~0.15 ms; `x` must be a string, and is not read).
 */
const privateKeys = new Map();
function privateKey(secretKey) {
  const seed = Buffer.from(secretKey.subarray(0, 32));
  const id = seed.toString('latin1');
  let key = privateKeys.get(id);
  if (key === undefined) {
    key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: seed.toString('base64url'), x: '' }, format: 'jwk' });
    privateKeys.set(id, key);
  }
  return key;
}
const clientEd25519 = {
  name: 'bench clients',
  sign: (message, secretKey) => new Uint8Array(sign(null, message, privateKey(secretKey))),
  publicKey: (secretKey) => new Uint8Array(Buffer.from(createPublicKey(privateKey(secretKey)).export({ format: 'jwk' }).x, 'base64url')),
};

/** A fixed key per index, so every run funds and signs with the same accounts. */
function key(n) {
  const seed = new Uint8Array(32).fill(0x5c);
  new DataView(seed.buffer).setUint32(0, n);
  return keyPairFromSecret(seed, clientEd25519);
}

/** This process's open files and its limit on them (Linux; elsewhere no limit is assumed). */
function files() {
  try {
    const limit = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? Infinity);
    return { open: readdirSync('/proc/self/fd').length, limit };
  } catch {
    return { open: 0, limit: Infinity };
  }
}

/**
 * Raises this process's open-file limit to `wanted` (a child forked later inherits it); returns
 * why not if the system does not allow it.
 */
function raiseFileLimit(wanted) {
  if (files().limit >= wanted) return undefined;
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${wanted}:${wanted}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (e) {
    return `prlimit --nofile=${wanted} refused: ${String(e.stderr ?? e.message).trim()}`;
  }
}

async function serve() {
  // Listening before saying so: a message sent to a process with no listener is lost.
  const message = new Promise((resolve) => process.once('message', resolve));
  process.send('ready');
  const { startNode } = await import('@ch/node');
  const { accounts } = await message;
  // Every account is one client, each its own connection and session, all connecting at once: the
  // defaults (4,096 connections, 256 before upgrade, 1,000 sessions) would refuse most of them, and
  // an operator serving this many channels raises them, as `channels.max_count` on the real node.
  // Thousands of upgrades queued on one loop take longer than the 10 s handshake timeout, and the
  // raw clients, which do not ping, wait idle longer than a minute for all the others to connect.
  const clients = accounts.length;
  const limits = { maxConnections: clients, maxPendingConnections: clients, maxSessions: clients, handshakeTimeoutMs: 120_000, idleTimeoutMs: 600_000 };
  const node = await startNode({ networkId: NETWORK_ID, profile: 'current', accounts: accounts.map((publicKey) => ({ publicKey, balance: 10n ** 21n })), limits });
  process.send({ url: node.url, files: files() });
  // The harness's process may die without killing this one: its server would then run forever.
  process.once('disconnect', () => process.exit());
  process.on('message', () => {
    // Twice: the first pass runs finalizers whose garbage only the second collects.
    globalThis.gc();
    globalThis.gc();
    process.send({ rss: process.memoryUsage().rss });
  });
}

function startNodeProcess(accounts) {
  const child = fork(fileURLToPath(import.meta.url), ['serve'], {
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const reply = () =>
    new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the node process exited (${code})`)));
    });
  const started = reply().then(() => {
    const r = reply();
    child.send({ accounts });
    return r;
  });
  return {
    started,
    rss: async () => {
      const r = reply();
      child.send('rss');
      return (await r).rss;
    },
    kill: () => child.kill('SIGKILL'),
  };
}

/** Resolves once `count()` has been called `n` times. */
function countdown(n) {
  const c = { left: n };
  c.promise = new Promise((resolve) => (c.count = () => --c.left === 0 && resolve()));
  return c;
}

/**
 * One channel's two clients: each signs whatever the node asks it to; the initiator proposes
 * `transfers` transfers, one after the other, once `transfer()` is called. A client's first
 * `channels.update` is the open channel, each further one a transfer done.
 */
function channel(url, i, r, transfers, events) {
  const updates = { initiator: 0, responder: 0 };
  const sockets = {};
  const propose = () => sockets.initiator.send(JSON.stringify({ jsonrpc: '2.0', method: 'channels.update.new', params: { from: i.publicKey, to: r.publicKey, amount: 1 } }));
  const updated = (role) => {
    const n = ++updates[role];
    const both = Math.min(updates.initiator, updates.responder);
    if (n === both && both === 1) events.opened.count();
    if (n === both && both === transfers + 1) events.done.count();
    if (role === 'initiator' && n > 1 && n <= transfers) propose();
  };
  const connect = (role, k) =>
    new Promise((resolve, reject) => {
      const query = { ...TERMS, initiator_id: i.publicKey, responder_id: r.publicKey, role, ...(role === 'initiator' && { host: 'localhost' }) };
      const ws = new WebSocket(`${url}?${new URLSearchParams(query)}`);
      sockets[role] = ws;
      ws.once('open', resolve);
      ws.once('error', reject);
      ws.once('close', events.closed);
      ws.on('message', (text) => {
        const m = JSON.parse(text);
        const reply = SIGN_REPLIES[m.method];
        if (reply) {
          const signed = signTx(m.params.data.signed_tx, k.secretKey, NETWORK_ID, { backend: clientEd25519 });
          return ws.send(JSON.stringify({ jsonrpc: '2.0', method: reply, params: { signed_tx: signed } }));
        }
        if (m.method === 'channels.update') return updated(role);
        if (m.error || m.method === 'channels.conflict' || m.method === 'channels.error' || m.params?.data?.event === 'died') events.fail(new Error(`${role}: ${text}`));
      });
    });
  return {
    connections: [() => connect('initiator', i), () => connect('responder', r)],
    transfer: propose,
    close: () => Object.values(sockets).forEach((ws) => ws.terminate()),
  };
}

/**
 * Opens `requested` channels at once (fewer if the open-file limit cannot hold them all), then
 * makes `transfers` off-chain transfers in every channel, all channels at once. Returns the time
 * to open them all (ms) as `value`, the rest in `extra`. Fails if that is not done `deadlineMs`
 * after the node has started: a node that slow has regressed, and the harness must not hang on it.
 */
export async function runChannels(requested, { transfers, deadlineMs }) {
  const phases = {};
  let start = performance.now();
  const phase = (name) => {
    const now = performance.now();
    phases[name] = Math.round(now - start);
    start = now;
  };
  const limitNote = raiseFileLimit(FILE_LIMIT);
  const keys = Array.from({ length: 2 * requested }, (_, n) => key(n));
  phase('keys');
  const node = startNodeProcess(keys.map((k) => k.publicKey));
  const { url, files: nodeFiles } = await node.started;
  phase('nodeStart');
  const own = files();
  const limit = Math.min(own.limit, nodeFiles.limit);
  const n = Math.min(requested, Math.floor((limit - Math.max(own.open, nodeFiles.open) - FD_MARGIN) / 2));
  const baseline = await node.rss();

  let fail;
  const failed = new Promise((_, reject) => (fail = reject));
  // Raced within each phase; a failure between phases must not count as an unhandled rejection.
  failed.catch(() => undefined);
  const phaseDone = (promise) => Promise.race([promise, failed]);
  let closing = false;
  const events = {
    opened: countdown(n),
    done: countdown(n),
    fail,
    closed: () => closing || fail(new Error('a client was disconnected')),
  };
  const channels = Array.from({ length: n }, (_, c) => channel(url, keys[2 * c], keys[2 * c + 1], transfers, events));
  const deadline = setTimeout(() => {
    const [opened, done] = [n - events.opened.left, n - events.done.left];
    fail(new Error(`${opened} of ${n} channels open, ${done} done after ${deadlineMs} ms`));
  }, deadlineMs);
  try {
    start = performance.now();
    // Channels open as soon as both their clients are connected, so opening overlaps connecting.
    const connections = channels.flatMap((c) => c.connections);
    let next = 0;
    const connecting = Array.from({ length: CONNECTING }, async () => {
      while (next < connections.length) await connections[next++]();
    });
    await phaseDone(Promise.all(connecting));
    phase('connect');
    await phaseDone(events.opened.promise);
    phase('openAfterConnect');
    const open = phases.connect + phases.openAfterConnect;
    const opened = await node.rss();

    start = performance.now();
    for (const c of channels) c.transfer();
    await phaseDone(events.done.promise);
    phase('transfers');
    const updated = await node.rss();

    const perChannel = (rss) => Math.round((rss - baseline) / n / 1024);
    return {
      value: open,
      extra: {
        channels: n,
        openFileLimit: limit,
        ...(n < requested && { cappedBy: `open-file limit ${limit}: 2 sockets per channel in each process, plus the ${nodeFiles.open} files the node process has open${limitNote ? ` (${limitNote})` : ''}` }),
        transfersPerChannel: transfers,
        updatesPerSecond: Math.round((n * transfers * 1000) / phases.transfers),
        nodeRssPerChannelKiB: { open: perChannel(opened), afterTransfers: perChannel(updated) },
        nodeRssMiB: { baseline: Math.round(baseline / 2 ** 20), afterTransfers: Math.round(updated / 2 ** 20) },
        phasesMs: phases,
      },
    };
  } finally {
    clearTimeout(deadline);
    closing = true;
    node.kill();
    for (const c of channels) c.close();
  }
}

if (process.argv[2] === 'serve' && process.argv[1] === fileURLToPath(import.meta.url)) await serve();
