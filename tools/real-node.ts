/**
 * Test helper: the real aeternity node as a counterpart. Either a node the user runs
 * (`AE_NODE_URL`, `AE_NODE_HTTP_URL`, `AE_NODE_NETWORK_ID`, `AE_NODE_KEYS` = funded secret keys, hex,
 * comma-separated) or the release in `../shared/aeternity-node` (or `CH_AE_NODE_DIR`), started in dev
 * mode for the test file and stopped after it. The release's Erlang node name is fixed, so one runs
 * per machine: a lock directory in the temp folder queues the test files (and processes) using it.
 * Without either, the tests are skipped with one line saying how to run them; `CH_REQUIRE_REAL_NODE=1`
 * (set by `.ci/run`) makes that a failure instead.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
// Relative to the source, as tools/ belongs to no package.
import { encode } from '../packages/codec/src/index.js';
import { freePorts, lock, LOCK_WAIT_MS } from './machine-lock.mjs';

const run = promisify(execFile);

export interface RealNodeAccount {
  readonly id: `ak_${string}`;
  /** The 32-byte ed25519 seed, as `secretKeySigner` takes it. */
  readonly secretKey: Uint8Array;
}

export interface RealNode {
  /** The channel endpoint, `ws://…/channel`. */
  readonly url: string;
  /** The external HTTP API, e.g. for `GET /v3/accounts/ak_…`. */
  readonly httpUrl: string;
  readonly networkId: string;
  /** Funded accounts; a started node funds fresh ones, a user's node those of `AE_NODE_KEYS`. */
  readonly accounts: readonly RealNodeAccount[];
  /** GET on the HTTP API, parsed losslessly enough for the fields tests read (numbers as strings). */
  get(path: string): Promise<Record<string, unknown>>;
  /** Posts a signed tx to the node's mempool; resolves with its hash. */
  postTx(tx: string): Promise<string>;
}

type Source = { kind: 'external'; url: string; httpUrl: string; networkId: string; keys: Uint8Array[] } | { kind: 'release'; dir: string } | { kind: 'none'; reason: string };

const RELEASE_DIR = fileURLToPath(new URL('../../shared/aeternity-node/', import.meta.url));
const NETWORK_ID = 'ae_sctest';
const FUNDING = 10n ** 24n;
const ACCOUNTS = 8;

function source(): Source {
  const env = process.env;
  if (env.AE_NODE_URL) {
    const missing = ['AE_NODE_HTTP_URL', 'AE_NODE_NETWORK_ID', 'AE_NODE_KEYS'].filter((name) => !env[name]);
    if (missing.length > 0) return { kind: 'none', reason: `AE_NODE_URL is set but ${missing.join(', ')} is not` };
    const keys = env.AE_NODE_KEYS!.split(',').map((hex) => Uint8Array.from(Buffer.from(hex.trim().slice(0, 64), 'hex')));
    return { kind: 'external', url: env.AE_NODE_URL, httpUrl: env.AE_NODE_HTTP_URL!.replace(/\/$/, ''), networkId: env.AE_NODE_NETWORK_ID!, keys };
  }
  const dir = env.CH_AE_NODE_DIR ?? RELEASE_DIR;
  if (existsSync(join(dir, 'start.sh'))) return { kind: 'release', dir };
  return { kind: 'none', reason: `no real aeternity node: put its release at ${dir} (start.sh) or set CH_AE_NODE_DIR, or set AE_NODE_URL, AE_NODE_HTTP_URL, AE_NODE_NETWORK_ID and AE_NODE_KEYS for a node you run` };
}

const SOURCE = source();

/** Whether the real-node tests run; when they do not, says so once. */
export const realNodeAvailable = SOURCE.kind !== 'none';
if (SOURCE.kind === 'none') {
  if (process.env.CH_REQUIRE_REAL_NODE === '1') throw new Error(`CH_REQUIRE_REAL_NODE=1: ${SOURCE.reason}`);
  console.log(`real-node tests skipped: ${SOURCE.reason}`);
}

/**
 * `describe` against the real node: the node is started (or reached) before the block and stopped
 * after it; `node()` returns it inside tests.
 */
export function describeRealNode(name: string, body: (node: () => RealNode) => void): void {
  describe.skipIf(!realNodeAvailable)(name, () => {
    let current: (RealNode & { stop(): Promise<void> }) | undefined;
    beforeAll(async () => {
      current = await startRealNode();
    }, LOCK_WAIT_MS + 60_000);
    afterAll(async () => current?.stop(), 30_000);
    body(() => {
      if (!current) throw new Error('the real node did not start');
      return current;
    });
  });
}

async function startRealNode(): Promise<RealNode & { stop(): Promise<void> }> {
  if (SOURCE.kind === 'none') throw new Error(SOURCE.reason);
  if (SOURCE.kind === 'external') {
    const accounts = SOURCE.keys.map((seed) => ({ id: accountOf(seedKey(seed)), secretKey: seed }));
    return { ...withHttp(SOURCE.httpUrl), url: SOURCE.url, httpUrl: SOURCE.httpUrl, networkId: SOURCE.networkId, accounts, stop: async () => undefined };
  }
  const release = SOURCE.dir;
  const unlock = await lock();
  try {
    const dir = join(tmpdir(), 'ch-real-node');
    const accounts = Array.from({ length: ACCOUNTS }, () => {
      const { privateKey } = generateKeyPairSync('ed25519');
      const seed = Uint8Array.from(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32));
      return { id: accountOf(privateKey), secretKey: seed };
    });
    const funded = accounts.map((a) => `${a.id}:${FUNDING}`).join(',');
    const halt = () => run(join(release, 'stop.sh'), [dir], { timeout: 60_000 });
    const { url, http } = await startRelease(release, dir, funded, halt);
    const httpUrl = `http://127.0.0.1:${http}`;
    const stop = async () => {
      try {
        await halt();
      } finally {
        unlock();
      }
    };
    return { ...withHttp(httpUrl), url, httpUrl, networkId: NETWORK_ID, accounts, stop };
  } catch (e) {
    unlock();
    throw e;
  }
}

/**
 * start.sh, tried twice: on a loaded machine the node can answer only after the script stopped
 * waiting for it. A node that came up late still runs, so it is stopped before the next try (or
 * before the lock is given up: the next holder's node could not start beside it).
 */
async function startRelease(release: string, dir: string, funded: string, halt: () => Promise<unknown>): Promise<{ url: string; http: number }> {
  for (let attempt = 1; ; attempt++) {
    const [ws, http] = await freePorts();
    try {
      const { stdout } = await run(join(release, 'start.sh'), [dir, NETWORK_ID, funded, String(ws), String(http)], { timeout: 120_000 });
      return { url: stdout.trim().split('\n').pop()!, http };
    } catch (e) {
      await halt();
      if (attempt === 2) throw e;
    }
  }
}

function withHttp(httpUrl: string): Pick<RealNode, 'get' | 'postTx'> {
  // Balances exceed 2^53: quote every bare number before parsing.
  const parse = async (response: Response) => JSON.parse((await response.text()).replace(/([:,[]\s*)(-?\d+)(?=\s*[,}\]])/g, '$1"$2"')) as Record<string, unknown>;
  return {
    async get(path) {
      return parse(await fetch(`${httpUrl}${path}`, { signal: AbortSignal.timeout(10_000) }));
    },
    async postTx(tx) {
      const response = await fetch(`${httpUrl}/v3/transactions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tx }), signal: AbortSignal.timeout(10_000) });
      const body = await parse(response);
      if (!response.ok) throw new Error(`the node refused the tx: ${JSON.stringify(body)}`);
      return body.tx_hash as string;
    },
  };
}

/** A private key object of a 32-byte ed25519 seed (PKCS#8: a fixed 16-byte prefix, then the seed). */
function seedKey(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
}

function accountOf(privateKey: KeyObject): `ak_${string}` {
  return encode(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32), 'ak');
}
