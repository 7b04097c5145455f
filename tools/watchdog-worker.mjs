// The watchdog's own thread (started by tools/watchdog.ts): it reads the counter the test thread
// bumps from a timer, and when the counter has not moved for `thresholdMs` (the test thread's event
// loop is stuck: a synchronous loop, or a loop of promises that never lets a timer run) it says so
// on stderr, written straight to the file descriptor since the test thread cannot relay anything,
// and SIGKILLs the process. vitest then reports the file failed and goes on with the others.
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const { beats, thresholdMs, checkMs } = workerData;
let where = workerData.where;
parentPort.on('message', (message) => (where = message));

let seen = Atomics.load(beats, 0);
let since = Date.now();
let checked = since;
setInterval(() => {
  const now = Atomics.load(beats, 0);
  const late = Date.now() - checked > 3 * checkMs;
  checked = Date.now();
  // A late check means this thread did not run either: the whole process was paused (SIGSTOP, a
  // suspended machine), which is no stuck event loop; the test thread gets a fresh start.
  if (now !== seen || late) {
    seen = now;
    since = Date.now();
    return;
  }
  const stuck = Date.now() - since;
  if (stuck < thresholdMs) return;
  writeSync(2, `\n[watchdog] ${where}: the event loop has not turned for ${(stuck / 1000).toFixed(1)} s (CH_WATCHDOG_MS=${thresholdMs}); killing test process ${process.pid}\n`);
  process.kill(process.pid, 'SIGKILL');
}, checkMs);
