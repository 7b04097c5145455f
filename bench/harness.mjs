// Timing primitives shared by every bench case. Each case runs in its own fresh process
// (see run.mjs), so JIT state and GC pressure of one measurement never leak into another.

/**
 * Ops/s of `fn` (which performs `batch` operations per call): warm-up, then `rounds` timed rounds
 * of at least `roundMs` each; returns the median round. Rounds are short so that `pnpm bench`, with
 * every side of every case in three fresh processes, fits its ten minutes; the median of five
 * rounds and of three processes absorbs their noise.
 */
export async function measure(fn, { batch = 1, warmupMs = 200, rounds = 5, roundMs = 200 } = {}) {
  const deadline = performance.now() + warmupMs;
  while (performance.now() < deadline) await fn();
  const results = [];
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < roundMs) {
      await fn();
      calls++;
      now = performance.now();
    }
    results.push((calls * batch * 1000) / (now - start));
  }
  return median(results);
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * node:crypto's ed25519 `sign` and `verify` calls in this process, counted from here on (the
 * codec's native backend calls them on the module object, so wrapping its properties sees them).
 */
export function countEd25519Calls(crypto) {
  const counts = { sign: 0, verify: 0 };
  for (const name of ['sign', 'verify']) {
    const original = crypto[name];
    crypto[name] = function counted(...args) {
      counts[name]++;
      return original.apply(this, args);
    };
  }
  return counts;
}
