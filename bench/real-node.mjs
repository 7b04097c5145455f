// The two channel nodes the real-node bench cases run against, each in its own process: the real
// aeternity node (the release in ../shared/aeternity-node, or CH_AE_NODE_DIR) and `ch-node`.
// The release runs once per machine (its Erlang node name is fixed), so a bench process takes the
// same lock directory as the tests' harness (tools/machine-lock.mjs) and waits while either holds it.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePorts, lock } from '../tools/machine-lock.mjs';

const run = promisify(execFile);
const RELEASE_DIR = process.env.CH_AE_NODE_DIR ?? fileURLToPath(new URL('../../shared/aeternity-node/', import.meta.url));
const CH_NODE_BIN = fileURLToPath(new URL('../packages/node/bin/ch-node.js', import.meta.url));

/** Why the real node cannot run here, or undefined when it can. */
export const realNodeMissing = existsSync(join(RELEASE_DIR, 'start.sh')) ? undefined : `no real aeternity node at ${RELEASE_DIR} (start.sh); put its release there or set CH_AE_NODE_DIR`;

/**
 * Runs `fn({ url })` against the real node, started in dev mode (blocks on demand) with `accounts`
 * (`{ publicKey, balance }`) funded at genesis, and stopped after.
 */
export async function withRealNode(networkId, accounts, fn) {
  const unlock = await lock();
  const dir = join(tmpdir(), 'ch-real-node');
  // A side killed (a bench stopped by hand) stops its node first, or the next user finds it running.
  const onSignal = () => {
    try {
      execFileSync(join(RELEASE_DIR, 'stop.sh'), [dir], { timeout: 60_000 });
    } finally {
      unlock();
      process.exit(1);
    }
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const [ws, http] = await freePorts();
    const funded = accounts.map((a) => `${a.publicKey}:${a.balance}`).join(',');
    const { stdout } = await run(join(RELEASE_DIR, 'start.sh'), [dir, networkId, funded, String(ws), String(http)], { timeout: 120_000 });
    try {
      return await fn({ url: stdout.trim().split('\n').pop() });
    } finally {
      await run(join(RELEASE_DIR, 'stop.sh'), [dir], { timeout: 60_000 });
    }
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    unlock();
  }
}

/** Runs `fn({ url })` against `ch-node` (current profile) in a child process, funding `accounts`; stops it after. */
export async function withChNode(networkId, accounts, fn) {
  const fund = accounts.map((a) => `${a.publicKey}:${a.balance}`).join(',');
  const child = spawn(process.execPath, [CH_NODE_BIN, '--port', '0', '--accounts', '0', '--network-id', networkId, '--fund', fund, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const banner = await Promise.race([
      new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
      exited.then((code) => Promise.reject(new Error(`ch-node exited (${code}) before it listened`))),
      new Promise((_, reject) => setTimeout(reject, 20_000, new Error('ch-node did not print its banner in 20 s')).unref()),
    ]);
    return await fn({ url: JSON.parse(banner).url });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
