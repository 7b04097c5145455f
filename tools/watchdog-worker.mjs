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
setInterval(() => {
  const now = Atomics.load(beats, 0);
  if (now !== seen) {
    seen = now;
    since = Date.now();
    return;
  }
  const stuck = Date.now() - since;
  if (stuck < thresholdMs) return;
  writeSync(2, `\n[watchdog] ${where}: the event loop has not turned for ${(stuck / 1000).toFixed(1)} s (CH_WATCHDOG_MS=${thresholdMs}); killing test process ${process.pid}\n`);
  process.kill(process.pid, 'SIGKILL');
}, checkMs);
