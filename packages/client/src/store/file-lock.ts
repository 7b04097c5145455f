/**
 * A record's exclusive lock in a Node store's directory: `<base>.lock`, 0600, holding its owner's
 * pid and a random token. It is written whole to a temporary file first and hard-linked into
 * place, which fails if the lock exists: no one ever reads a lock half written. It is held by one channel
 * instance: another instance, in this process or a live other one, gets a `locked` StoreError. A
 * lock whose pid is dead (the owner was SIGKILLed) is stale and taken over; locks this process
 * holds are removed when it exits.
 *
 * Takeover: processes that all see the same dead pid must not all remove the stale lock (one would
 * remove the lock another just took in its place, and both would hold it). So a stale lock of token
 * T is removed only by the holder of `<lock>.T.claim`, itself such a lock (taken the same way, so a
 * claim whose holder died is stale and taken over in turn), and only if the lock still holds T once
 * the claim is held. T is unique and never comes back: the stale lock is removed once, and who then
 * links a lock first holds it.
 */
import { readFileSync, rmSync } from 'node:fs';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import type { Encoded } from '@ch/codec';
import type { Role } from '../signer.js';
import { FILE_MODE, isAlive } from './directory.js';
import { lockedError, type RecordLock } from './store.js';

/** The lock files (and claims) this process holds, by path, with their tokens. */
const held = new Map<string, string>();
/** Locks of this process being released, by token: no longer held, their file not yet gone. */
const releasing = new Map<string, Promise<void>>();
let exitHook = false;

/** A held lock; `release` may be given work (a flush) to finish before the file goes, in-process waiters wait for both. */
export interface FileLock extends RecordLock {
  release(before?: Promise<unknown>): Promise<void>;
}

export async function lockFile(path: string, channelId: Encoded<'ch'>, role: Role): Promise<FileLock> {
  const token = globalThis.crypto.randomUUID();
  const temp = `${path}.${process.pid}.${token}.tmp`;
  await writeFile(temp, `${process.pid} ${token}\n`, { mode: FILE_MODE, flag: 'wx' });
  try {
    // Three times at most: again after a release of ours completes, and after removing a stale lock.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(temp, path);
        held.set(path, token);
        hookExit();
        return { release: (before) => unlock(path, token, before) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = await readOwner(path);
      if (owner === undefined) continue;
      const ending = releasing.get(owner.token);
      if (owner.pid === process.pid && ending) {
        await ending.catch(() => undefined);
        continue;
      }
      // Ours and held: another instance in this process. Ours and not held: left by an earlier
      // process that had our pid, so stale like a dead one's.
      if (owner.pid === process.pid ? [...held.values()].includes(owner.token) : isAlive(owner.pid)) {
        throw lockedError(channelId, role, owner.pid === process.pid ? 'another channel instance in this process' : `process ${owner.pid}`);
      }
      await removeStale(path, owner.token, channelId, role);
    }
    throw lockedError(channelId, role, 'another channel instance that just took it');
  } finally {
    await rm(temp, { force: true });
  }
}

/** Removes the lock at `path` if it still holds the stale `token`, under that token's claim (see the module's comment). */
async function removeStale(path: string, token: string, channelId: Encoded<'ch'>, role: Role): Promise<void> {
  const claim = await lockFile(`${path}.${token}.claim`, channelId, role);
  try {
    if ((await readOwner(path))?.token === token) await rm(path, { force: true });
  } finally {
    await claim.release();
  }
}

async function readOwner(path: string): Promise<{ pid: number; token: string } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const [pid, token = ''] = text.trim().split(' ');
  return { pid: Number(pid), token };
}

function unlock(path: string, token: string, before?: Promise<unknown>): Promise<void> {
  if (held.get(path) !== token) return Promise.resolve();
  held.delete(path);
  const removal = (async () => {
    try {
      await before;
    } finally {
      const owner = await readOwner(path);
      if (owner?.token === token) await rm(path, { force: true });
    }
  })().finally(() => releasing.delete(token));
  releasing.set(token, removal);
  return removal;
}

/** On exit, synchronously removes the locks still held; a SIGKILL leaves them, stale by their pid. */
function hookExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const [path, token] of held) {
      try {
        if (readFileSync(path, 'utf8').includes(token)) rmSync(path, { force: true });
      } catch {
        // Already gone.
      }
    }
  });
}
