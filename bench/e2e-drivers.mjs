// The two ways an end-to-end case drives one open channel, whatever the clients and the node:
// transfers in sequence from one side, and both sides sending at once. Sizes are the caller's, as a
// local node makes hundreds of transfers a second and the real aeternity node about twenty.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { signTx } from '@ch/codec';

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function latencies(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return { p50ms: percentile(sorted, 50), p99ms: percentile(sorted, 99) };
}

/** Whether an error of either client measured is a lost race (a conflict) rather than a failure. */
const isRace = (e) => e?.name === 'ConflictError' || (e?.name === 'RpcRequestError' && typeof e.hasDataCode === 'function' && e.hasDataCode(107));

/** `send(side)` for `bothSides` through our clients between `a` and `b`: one transfer of 1 aetto to the other side. */
export const oursSend = (initiator, responder, a, b) => (side) =>
  (side === 'initiator' ? initiator.transfer(a.publicKey, b.publicKey, 1n) : responder.transfer(b.publicKey, a.publicKey, 1n)).then(
    () => true,
    (e) => {
      if (isRace(e)) return false;
      throw e;
    },
  );

/**
 * Runs `transfer()` in sequence, `transfers` times or for `runMs`, whichever ends first, after
 * `warmup` untimed ones; rate and latency percentiles.
 */
export async function sequential(transfer, { transfers, runMs, warmup }) {
  for (let i = 0; i < warmup; i++) await transfer();
  const times = [];
  const start = performance.now();
  while (times.length < transfers && performance.now() - start < runMs) {
    const t = performance.now();
    await transfer();
    times.push(performance.now() - t);
  }
  const seconds = (performance.now() - start) / 1000;
  return { value: times.length / seconds, extra: { transfers: times.length, ...latencies(times) } };
}

/**
 * Both clients send at once: each side makes `perSide` transfers (or as many as it starts within
 * `runMs`), one after the other, to the other side. `send(side)` resolves true if its transfer was
 * co-signed, false if it lost a race (a conflict), and throws on anything else (counted as an
 * error, and retried like a conflict); an attempt that takes longer than `stallMs` stops its side.
 * Two sides that collided and resend at once collide again in lockstep, so a side that lost waits a
 * random delay below a cap that starts at `backoffMs` and doubles with each loss (full jitter, as
 * @ch/client's RetryPolicy does), the same for every client measured; after `maxLost` errors in a
 * row, or a lost attempt past `runMs`, a side gives up. Counts co-signed transfers per second of both sides together, the conflicts
 * on the way, and each transfer's latency from its first attempt; `round()` cross-checks the count.
 */
export async function bothSides(send, round, { perSide, runMs, warmup, stallMs, backoffMs = 2, maxLost = 10 }) {
  for (let i = 0; i < warmup; i++) await send(i % 2 === 0 ? 'initiator' : 'responder');
  const counts = { coSigned: 0, conflicts: 0, errors: 0, stalled: 0 };
  const times = [];
  let firstError;
  const attempt = async (name) => {
    let timer;
    const stall = new Promise((resolve) => (timer = setTimeout(resolve, stallMs, 'stalled')));
    try {
      return await Promise.race([send(name).then((ok) => (ok ? 'coSigned' : 'conflicts')), stall]);
    } catch (e) {
      firstError ??= `${name}: ${String(e?.message ?? e).slice(0, 160)}`;
      return 'errors';
    } finally {
      clearTimeout(timer);
    }
  };
  let start;
  const side = async (name) => {
    for (let i = 0; i < perSide && performance.now() - start < runMs; i++) {
      const t = performance.now();
      for (let lost = 0; ; lost++) {
        const outcome = await attempt(name);
        counts[outcome]++;
        if (outcome === 'coSigned') {
          times.push(performance.now() - t);
          break;
        }
        // A stalled client is left alone; an error (aepp-sdk-js rejects an update when the
        // peer's proposal arrives meanwhile) is a lost attempt, unless it keeps happening; past
        // `runMs` a side stops retrying, so a side that loses every race (its peer stalled) ends.
        if (outcome === 'stalled' || (outcome === 'errors' && lost >= maxLost) || performance.now() - start >= runMs) return;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, backoffMs * 2 ** lost)));
      }
    }
  };
  const before = round();
  start = performance.now();
  await Promise.all([side('initiator'), side('responder')]);
  const seconds = (performance.now() - start) / 1000;
  const roundsAdvanced = Number(round() - before);
  return {
    value: counts.coSigned / seconds,
    extra: { ...counts, roundsAdvanced, ...latencies(times), ...(firstError && { firstError }) },
  };
}

const requireFromBench = createRequire(fileURLToPath(new URL('./package.json', import.meta.url)));

/** aepp-sdk-js, as the bench's package installs it. */
export async function loadSdk() {
  const sdk = await import(requireFromBench.resolve('@aeternity/aepp-sdk'));
  return sdk.default ?? sdk;
}

/**
 * aepp-sdk-js channels between key pairs `a` (initiator) and `b`, open; `update(side)` makes one
 * transfer of 1 aetto from that side. `options` are both parties' open options (url, amounts,
 * responder's port, minimum depth); the responder connects first, which the real node opens
 * fastest. The native signer signs what aepp-sdk-js signs (network id ++ blake2b(tx)) with
 * node:crypto rather than tweetnacl.
 */
async function openSdk({ networkId, a, b, options, nativeSigner }) {
  const sdk = await loadSdk();
  const signer = (k) => {
    if (nativeSigner) return async (_tag, tx) => signTx(tx, k.secretKey, networkId, { hashed: true });
    const account = new sdk.MemoryAccount(sdk.encode(k.secretKey.slice(0, 32), sdk.Encoding.AccountSecretKey));
    return (_tag, tx) => account.signTransaction(tx, { networkId });
  };
  const [signA, signB] = [signer(a), signer(b)];
  const common = { ...options, initiatorId: a.publicKey, responderId: b.publicKey };
  const cr = await sdk.Channel.initialize({ ...common, role: 'responder', sign: signB });
  const ci = await sdk.Channel.initialize({ ...common, role: 'initiator', sign: signA });
  for (const c of [ci, cr]) c.on('error', () => {});
  await new Promise((resolve, reject) => {
    const timer = setInterval(() => ci.status() === 'open' && cr.status() === 'open' && (clearInterval(timer), resolve()), 20);
    setTimeout(() => (clearInterval(timer), reject(new Error('aepp-sdk-js channel did not open'))), 60_000);
  });
  const update = (side) =>
    side === 'initiator' ? ci.update(a.publicKey, b.publicKey, 1, (tx) => signA('', tx)) : cr.update(b.publicKey, a.publicKey, 1, (tx) => signB('', tx));
  return { update, round: () => BigInt(ci.round() ?? 0), disconnect: () => [ci, cr].forEach((c) => c.disconnect()) };
}

/** `drive(channel)` on aepp-sdk-js channels that `openSdk(open)` opened, disconnected after. */
export async function withSdk(open, drive) {
  const channel = await openSdk(open);
  try {
    return await drive(channel);
  } finally {
    channel.disconnect();
  }
}
