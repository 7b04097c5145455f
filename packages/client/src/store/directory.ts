/**
 * The directory a Node store keeps its files in. Records hold the FSM id, the only credential for
 * reconnecting, and the channel's state: the directory is 0700 and every file 0600, so no other
 * local user can read them, kick the owner off, or reestablish in its place. Files written beside
 * a record and abandoned by a killed process (`*.tmp`) are removed when a store first uses the
 * directory.
 */
import { chmod, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Encoded } from '@ch/codec';
import { StoreError, StoreErrorCode } from '../errors.js';
import type { Role } from '../signer.js';

export const DIRECTORY_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Where the files of a channel's record for `role` start: `<directory>/<channel id>.<role>`. */
export function recordBase(directory: string, channelId: Encoded<'ch'>, role: Role): string {
  // Channel ids are base58: they cannot climb out of the directory, but refuse anything else.
  if (!/^ch_[1-9A-HJ-NP-Za-km-z]+$/.test(channelId)) throw new StoreError(StoreErrorCode.INVALID, `not a channel id: ${channelId}`);
  if (role !== 'initiator' && role !== 'responder') throw new StoreError(StoreErrorCode.INVALID, `not a role: ${String(role)}`);
  return join(directory, `${channelId}.${role}`);
}

/**
 * Makes the directory (0700) if missing and narrows it to 0700 if it is other; with `clean` (a
 * store's first use of it), also removes temporary files whose writer is dead.
 */
export async function prepareDirectory(directory: string, clean = false): Promise<void> {
  await mkdir(directory, { recursive: true, mode: DIRECTORY_MODE });
  const { mode } = await stat(directory);
  if ((mode & 0o777) !== DIRECTORY_MODE) await chmod(directory, DIRECTORY_MODE);
  if (clean) await removeOrphans(directory);
}

/** Temporary files are `<base>.<pid>.<random>.tmp`: one whose pid is not a live process is an orphan. */
async function removeOrphans(directory: string): Promise<void> {
  for (const name of await readdir(directory)) {
    const pid = /\.(\d+)\.[0-9a-f-]+\.tmp$/.exec(name)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) await rm(join(directory, name), { force: true });
  }
}

/** Whether `pid` is a live process (one of another user's counts: EPERM). */
export function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Replaces `file` with `bytes` atomically: a temporary file in the same directory, flushed, renamed
 * over it, and the directory flushed so the rename survives a power cut.
 */
export async function replaceFile(directory: string, file: string, bytes: Uint8Array): Promise<void> {
  const temp = `${file}.${process.pid}.${globalThis.crypto.randomUUID()}.tmp`;
  try {
    const handle = await open(temp, 'wx', FILE_MODE);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await syncDirectory(directory);
}

/** Flushes a directory's entries; platforms that cannot open a directory (Windows) skip it. */
export async function syncDirectory(directory: string): Promise<void> {
  let dir: Awaited<ReturnType<typeof open>> | undefined;
  try {
    dir = await open(directory, 'r');
    await dir.sync();
  } catch {
    // Not supported here; the rename is still atomic.
  } finally {
    await dir?.close();
  }
}
