/**
 * A test timeout that bites (vitest `setupFiles`, so in every test file's process). vitest's own
 * timeouts are timers: a test that never yields to the event loop (a synchronous loop, or a loop
 * of promises that settle at once) never lets them fire, and the run hangs. Here the test thread
 * bumps a shared counter from a timer, and a worker thread (watchdog-worker.mjs) kills the process
 * when the counter has stood still for CH_WATCHDOG_MS (default 60 s, well above the longest
 * synchronous stretch of any test), naming the test that was running. `CH_WATCHDOG_MS=0` turns it
 * off, e.g. to stop at a debugger breakpoint.
 */
import { relative } from 'node:path';
import { isMainThread, Worker } from 'node:worker_threads';
import { afterEach, beforeEach, expect } from 'vitest';

const DEFAULT_MS = 60_000;
const thresholdMs = Number(process.env.CH_WATCHDOG_MS ?? DEFAULT_MS);
const testPath = expect.getState().testPath;
const file = testPath === undefined ? 'a test file' : relative(process.cwd(), testPath);
const started = Symbol.for('ch.watchdog');
const state = globalThis as { [started]?: Worker };

// Only where the test runs in a process of its own (vitest's default `forks` pool): with the
// `threads` pool, killing the process would end the whole run.
if (thresholdMs > 0 && isMainThread) {
  state[started] ??= start(thresholdMs);
  const worker = state[started];
  worker.postMessage(`${file} (loading, or its beforeAll hooks)`);
  beforeEach(({ task }) => worker.postMessage(task.fullName));
  afterEach(({ task }) => worker.postMessage(`${task.fullName} (its afterEach hooks or what follows it)`));
}

function start(ms: number): Worker {
  const beatMs = Math.min(1000, ms / 4);
  const beats = new Int32Array(new SharedArrayBuffer(4));
  setInterval(() => Atomics.add(beats, 0, 1), beatMs).unref();
  const worker = new Worker(new URL('./watchdog-worker.mjs', import.meta.url), { workerData: { beats, thresholdMs: ms, checkMs: beatMs, where: file } });
  worker.unref();
  return worker;
}
