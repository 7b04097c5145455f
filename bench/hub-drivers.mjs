// What the hub bench's processes share: the channel terms, the loop that sends transfers as fast
// as they are co-signed, opening in index order, and messages between processes with deadlines.
import { fork } from 'node:child_process';
import { latencies } from './e2e-drivers.mjs';

export const NETWORK_ID = 'ae_channel_bench';
export const AMOUNTS = { initiatorAmount: 10n ** 15n, responderAmount: 10n ** 15n, pushAmount: 0n, channelReserve: 1n, lockPeriod: 10n };
/** The responder's port of every channel: the node tells channels apart by both accounts and it. */
export const PORT = 3333;
/** Channels opening at once on each side. */
export const OPENING = 100;
/** Attempts of one transfer that may fail in a row (errors, not conflicts) before its loop gives up. */
const MAX_ERRORS = 10;

/**
 * Runs `open(i)` for i = 0 … count - 1, `concurrency` at a time, claimed in index order. Each
 * opening waits for the other party, which claims in the same order, so both always hold the
 * lowest channel not yet open and neither waits on one the other has not reached.
 */
export async function inOrder(count, concurrency, open) {
  const opened = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      opened[i] = await open(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, concurrency) }, worker));
  return opened;
}

/**
 * Counts of the transfers a set of send loops made while `measuring`: co-signed, conflicts (lost
 * races), errors, and each co-signed transfer's latency from its call.
 */
export function tally() {
  const t = { measuring: false, stopped: false, coSigned: 0, conflicts: 0, errors: 0, times: [], firstError: undefined };
  return {
    state: t,
    mark() {
      Object.assign(t, { measuring: true, coSigned: 0, conflicts: 0, errors: 0, times: [] });
    },
    stop() {
      t.measuring = false;
      t.stopped = true;
    },
    report: () => ({ coSigned: t.coSigned, conflicts: t.conflicts, errors: t.errors, ...(t.times.length > 0 && latencies(t.times)), ...(t.firstError && { firstError: t.firstError }) }),
  };
}

/**
 * Sends `send()` (true if co-signed, false if it lost a race, throws on anything else) one after
 * another until the tally is stopped. After a loss it waits a random delay under a cap that
 * starts at 2 ms and doubles with each loss in a row (full jitter), so two sides that collided do
 * not collide again in lockstep; after MAX_ERRORS errors in a row it gives up.
 */
export async function sendLoop(send, { state: t }) {
  for (let lost = 0, errors = 0; !t.stopped; ) {
    const start = performance.now();
    let outcome;
    try {
      outcome = (await send()) ? 'coSigned' : 'conflicts';
    } catch (e) {
      t.firstError ??= String(e?.message ?? e).slice(0, 160);
      outcome = 'errors';
    }
    if (t.measuring) {
      t[outcome]++;
      if (outcome === 'coSigned') t.times.push(performance.now() - start);
    }
    if (outcome === 'coSigned') {
      lost = errors = 0;
      continue;
    }
    if (outcome === 'errors' && ++errors >= MAX_ERRORS) return;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 2 * 2 ** lost++)));
  }
}

/** `promise`, or a rejection naming `what` once `ms` have passed. */
export function withDeadline(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => (timer = setTimeout(reject, ms, new Error(`${what}: not done after ${ms} ms`))));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * `file` forked as a child process that speaks `{ type, ... }` messages: `next(type, ms)`
 * resolves with the next message of that type, or rejects when the child exits or `ms` pass.
 */
export function child(file, execArgv = []) {
  const proc = fork(file, [], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  // One pending message or waiter per type: whichever comes first waits for the other.
  const arrived = new Map();
  const waiting = new Map();
  let exited;
  proc.on('message', (m) => {
    const w = waiting.get(m.type);
    if (!w) return arrived.set(m.type, m);
    waiting.delete(m.type);
    w.resolve(m);
  });
  proc.once('exit', (code) => {
    exited = new Error(`${file} exited (${code})`);
    for (const w of waiting.values()) w.reject(exited);
    waiting.clear();
  });
  return {
    send: (m) => proc.connected && proc.send(m),
    next: (type, ms) => {
      if (arrived.has(type)) {
        const m = arrived.get(type);
        arrived.delete(type);
        return Promise.resolve(m);
      }
      if (exited) return Promise.reject(exited);
      const p = new Promise((resolve, reject) => waiting.set(type, { resolve, reject }));
      return withDeadline(p, ms, `${file}: waiting for "${type}"`);
    },
    kill: () => proc.kill('SIGKILL'),
  };
}
