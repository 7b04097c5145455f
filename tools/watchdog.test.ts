/**
 * The watchdog (tools/watchdog.ts) ends a test that never yields: vitest runs, in a child process,
 * the repository's config on tools/watchdog-fixture/ (a file that spins on promises forever and one
 * that passes) with a 2 s threshold. The run must end in seconds, say which test was stuck, fail,
 * and still run the other file.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VITEST = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
/** Long enough for a loaded machine; without the watchdog the child would run until killed here. */
const DEADLINE_MS = 45_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  ms: number;
}

function runFixture(): Promise<Run> {
  // The child is a vitest of its own: none of this run's worker variables may leak into it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  const start = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [VITEST, 'run', '--config', 'tools/watchdog-fixture/vitest.config.ts'],
      { cwd: ROOT, env: { ...env, CH_WATCHDOG_MS: '2000', NO_COLOR: '1' }, timeout: DEADLINE_MS },
      (error, stdout, stderr) => {
        const { code = 0, signal = null } = (error ?? {}) as { code?: number; signal?: NodeJS.Signals };
        resolve({ code, signal, output: `${stdout}\n${stderr}`, ms: performance.now() - start });
      },
    );
  });
}

test('a test that never yields is killed, named, and fails the run, which goes on', { timeout: DEADLINE_MS + 15_000 }, async () => {
  const run = await runFixture();
  expect(run.signal, run.output).toBeNull();
  expect(run.ms).toBeLessThan(DEADLINE_MS);
  const lines = run.output.split('\n');
  expect(lines.filter((l) => l.startsWith('[watchdog]'))).toEqual([
    expect.stringMatching(
      /^\[watchdog\] tools\/watchdog-fixture\/spin\.test\.ts > spins forever without yielding to timers: the event loop has not turned for \d+\.\d s \(CH_WATCHDOG_MS=2000\); killing test process \d+$/,
    ),
  ]);
  expect(run.output).toContain('Worker exited unexpectedly');
  expect(run.output).toMatch(/✓ tools\/watchdog-fixture\/passes\.test\.ts/);
  expect(run.output).toMatch(/Test Files\s+1 passed \(2\)/);
  expect(run.code).toBe(1);
});
