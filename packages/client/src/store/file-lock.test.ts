/**
 * The record lock of the Node stores: a stale lock (its process died) raced for by many processes
 * at once goes to exactly one of them, and a store writes only the records whose lock it holds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { bundleForNode } from '../../../../tools/node-bundle.js';
import { until } from '../test-support/until.js';
import { FileStore } from './file-store.js';
import { LogStore } from './log-store.js';
import { CHANNEL, sampleRecord } from './sample-record.test-helper.js';

const dirs: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), name));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A pid that is no live process: the highest a Linux pid can be, plus one. */
const DEAD_PID = 4194305;
const RACERS = 6;
const RACES = 4;

describe('a stale lock raced for by several processes', () => {
  const bundle = mkdtempSync(join(tmpdir(), 'ch-lock-racer-'));
  const racer = join(bundle, 'racer.mjs');
  beforeAll(() => bundleForNode(fileURLToPath(new URL('./lock-racer.test-helper.ts', import.meta.url)), racer));
  afterAll(() => rmSync(bundle, { recursive: true, force: true }));

  /** Starts RACERS processes, lets them all ask for the lock at once; each one's outcome, and who holds the lock file then. */
  async function race(dir: string, kind: 'log' | 'file'): Promise<{ outcomes: string[]; holder: string }> {
    const children: { child: ChildProcess; lines: string[]; exited: Promise<unknown> }[] = [];
    for (let n = 0; n < RACERS; n++) {
      const child = spawn(process.execPath, [racer, dir, kind], { stdio: ['pipe', 'pipe', 'inherit'] });
      const lines: string[] = [];
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
      children.push({ child, lines, exited: new Promise((resolve) => child.once('exit', resolve)) });
    }
    try {
      await until(() => children.every((c) => c.lines.includes('ready')), 20_000);
      for (const { child } of children) child.stdin!.write('go\n');
      await until(() => children.every((c) => c.lines.length === 2), 20_000);
      const holder = readFileSync(join(dir, `${CHANNEL}.initiator.lock`), 'utf8');
      return { outcomes: children.map((c) => c.lines[1]!), holder: children.find((c) => holder.startsWith(`${c.child.pid} `))?.lines[1] ?? holder };
    } finally {
      for (const { child } of children) child.stdin!.end();
      await Promise.all(children.map((c) => c.exited));
    }
  }

  test.each(['log', 'file'] as const)('%s store: exactly one process takes it over, the others get `locked`', async (kind) => {
    for (let n = 0; n < RACES; n++) {
      const dir = tempDir('ch-lock-race-');
      writeFileSync(join(dir, `${CHANNEL}.initiator.lock`), `${DEAD_PID} left-by-a-dead-process-${n}\n`, { mode: 0o600 });
      const { outcomes, holder } = await race(dir, kind);
      expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
      expect(outcomes.filter((o) => o !== 'won')).toEqual(Array(RACERS - 1).fill('locked'));
      // The lock file is the winner's, and no claim is left behind.
      expect(holder).toBe('won');
      expect(readdirSync(dir).filter((f) => f !== `${CHANNEL}.initiator.lock`)).toEqual([]);
    }
  }, 120_000);

  test('a claim on the stale lock left by a process that died taking it over is stale too', async () => {
    const dir = tempDir('ch-lock-claim-');
    const lock = join(dir, `${CHANNEL}.initiator.lock`);
    writeFileSync(lock, `${DEAD_PID} left-by-a-dead-process\n`, { mode: 0o600 });
    writeFileSync(`${lock}.left-by-a-dead-process.claim`, `${DEAD_PID} a-dead-claimant\n`, { mode: 0o600 });
    const held = await new LogStore(dir).lock(CHANNEL, 'initiator');
    expect(readdirSync(dir)).toEqual([`${CHANNEL}.initiator.lock`]);
    await held.release();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a store writes only the records whose lock it holds', () => {
  test.each(['log', 'file'] as const)('%s store: a save never locked, or after the release, is a `locked` StoreError and writes nothing', async (kind) => {
    const dir = tempDir('ch-lock-save-');
    const store = kind === 'log' ? new LogStore(dir) : new FileStore(dir);
    await expect(store.save(sampleRecord(1n))).rejects.toMatchObject({ kind: 'store', code: 'locked', message: expect.stringContaining('does not hold the lock') });
    expect(readdirSync(dir)).toEqual([]);

    const lock = await store.lock(CHANNEL, 'initiator');
    await store.save(sampleRecord(2n));
    // Another party's record is another lock.
    await expect(store.save(sampleRecord(2n, false, 'responder'))).rejects.toMatchObject({ code: 'locked' });
    // A save asked before the release is written before the lock goes.
    const last = store.save(sampleRecord(3n));
    const released = lock.release();
    await expect(store.save(sampleRecord(4n))).rejects.toMatchObject({ code: 'locked' });
    await Promise.all([last, released]);
    await expect(store.save(sampleRecord(5n))).rejects.toMatchObject({ code: 'locked' });
    expect((await store.load(CHANNEL, 'initiator'))?.state.round).toBe(3n);

    // Another instance that takes the lock now writes; the first still does not.
    const other = kind === 'log' ? new LogStore(dir) : new FileStore(dir);
    const next = await other.lock(CHANNEL, 'initiator');
    await other.save(sampleRecord(6n));
    await expect(store.save(sampleRecord(7n))).rejects.toMatchObject({ code: 'locked' });
    await next.release();
    expect((await other.load(CHANNEL, 'initiator'))?.state.round).toBe(6n);
  });
});
