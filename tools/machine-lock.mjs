// The machine's real aeternity node, one user at a time: its release's Erlang node name is fixed,
// so the tests' harness (tools/real-node.ts) and the real-node bench (bench/real-node.mjs) take the
// same lock directory and pick free ports for it the same way. Plain ESM with a .d.mts beside it,
// as the bench runs it with Node and the tests import it from TypeScript.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How long a user waits for another to release the node: a test file holds it throughout. */
export const LOCK_WAIT_MS = 600_000;

/** Takes the lock directory (holding the owner's pid), waiting while a live owner holds it; resolves with its release. */
export async function lock() {
  const path = join(tmpdir(), 'ch-real-node.lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(path);
      writeFileSync(join(path, 'pid'), String(process.pid));
      return () => rmSync(path, { recursive: true, force: true });
    } catch {
      if (!ownerAlive(path)) rmSync(path, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`the real node stayed busy (${path}) for ${LOCK_WAIT_MS} ms`);
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function ownerAlive(path) {
  let pid;
  try {
    pid = Number(readFileSync(join(path, 'pid'), 'utf8'));
  } catch {
    // Just made, its pid not yet written: taken as alive.
    return true;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A channel WebSocket port P (P+1 is the node's sync port) and an HTTP port H (H+100, +200 and
 * +400 are its other APIs), all free now.
 */
export async function freePorts() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const ws = 20_000 + Math.floor(Math.random() * 20_000);
    const http = ws + 10;
    if ((await Promise.all([ws, ws + 1, http, http + 100, http + 200, http + 400].map(portFree))).every(Boolean)) return [ws, http];
  }
  throw new Error('no free ports for the real node');
}

/** A port free now on 127.0.0.1, e.g. for the responder's channel process of the real node to listen on. */
export async function freePort() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    if (await portFree(port)) return port;
  }
  throw new Error('no free port for the responder');
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
