// The hub: one process that is a party to N channels at once (a game server, a pay-per-use API, a
// payment hub), for N = 1, 100 and 1,000. The node runs in one process, N customers (@ch/client)
// in a second, and the hub, the responder of all N channels, in a third: this case's own fresh
// process (see hub-run.mjs), played by @ch/client or by aepp-sdk-js 14.1.1's Channel (as shipped,
// and with a node:crypto signer). Customers send 1 aetto transfers as fast as they are co-signed;
// in the "hub sending too" cases the hub sends to each of them at the same time.
//
// The figure is co-signed updates per second of the hub's CPU time (process.cpuUsage): the
// inverse of its CPU per update, which machine noise moves far less than a rate, and a higher
// figure is better, so "CPU per update ≤ 0.5× theirs" is a ratio ≥ 2. The details give the rest:
// aggregate updates/s, CPU µs per update, the customers' latency, event-loop delay, RSS per
// channel, and the signs and verifies the hub made per update with their node:crypto time.
import { runHub } from './hub-run.mjs';

const SDK = 'aepp-sdk-js 14.1.1 (tweetnacl)';
const SDK_NATIVE = 'aepp-sdk-js 14.1.1 (node:crypto signer)';
const UNIT = 'co-signed updates per hub CPU-s';
/** Each run fails rather than go on past this, by its number of channels. */
const DEADLINE_MS = { 1: 60_000, 100: 120_000, 1000: 240_000 };
/** RSS per channel in the hub at 1,000 channels must stay below this. */
const RSS_TARGET_KIB = 64;
/** Runs at 1,000 channels take 30-45 s each: one of each side against aepp-sdk-js. */
const THOUSAND_REPEAT = 1;

const run = (n, options) => async () => ({ run: () => runHub({ n, deadlineMs: DEADLINE_MS[n], ...options }) });

/** A run at 1,000 channels, its RSS per channel held to the target in its details. */
const thousand = (options, value = (r) => r.value) =>
  async () => ({
    run: async () => {
      const r = await runHub({ n: 1000, deadlineMs: DEADLINE_MS[1000], ...options });
      const kib = r.extra.rssPerChannelKiB.afterRun;
      return { value: value(r), extra: { ...r.extra, rssTarget: `${kib} KiB per channel ${kib < RSS_TARGET_KIB ? '<' : '≥'} ${RSS_TARGET_KIB} KiB: ${kib < RSS_TARGET_KIB ? 'met' : 'missed'}` } };
    },
  });

/** The two rows of one job: ours against aepp-sdk-js as shipped, then (our runs reused) with a node:crypto signer. */
function against(label, n, options, { repeat, target } = {}) {
  const make = n === 1000 ? (o) => thousand(o) : (o) => run(n, o);
  return {
    [`${label}, as shipped`]: { unit: UNIT, peerName: SDK, ...(repeat && { repeat }), ours: make({ side: 'ours', ...options }), peer: make({ side: 'sdk', ...options }) },
    [`${label}, native signer for the peer`]: {
      unit: UNIT,
      peerName: SDK_NATIVE,
      ...(target && { target }),
      ...(repeat && { repeat }),
      oursFrom: `${label}, as shipped`,
      peer: make({ side: 'sdk', nativeSigner: true, ...options }),
    },
  };
}

const HUNDRED = 'hub, 100 channels: customers sending';

export const cases = {
  ...against('hub, 1 channel: customers sending', 1, {}),
  ...against(HUNDRED, 100, {}, { target: 'ratio >= 2 (hub CPU per update ≤ 0.5× theirs)' }),
  // The hub's own ed25519 work as a rate: counted (node:crypto's sign and verify wrapped) over a
  // short run of the same job, timed with node:crypto on an update's message. The ratio is the
  // fraction of the client ceiling our hub reaches.
  'hub, 100 channels: CPU per update against the hub\'s own ed25519 work': {
    unit: UNIT,
    peerName: 'its signs and verifies alone (node:crypto)',
    target: 'ratio >= 0.5 (hub CPU per update ≤ 2× its ed25519 work)',
    oursFrom: `${HUNDRED}, as shipped`,
    peer: async () => ({
      run: async () => {
        const r = await runHub({ n: 100, side: 'ours', runMs: 1_000, deadlineMs: DEADLINE_MS[100] });
        const { signsPerUpdate, verifiesPerUpdate, signUs, verifyUs, ed25519UsPerUpdate } = r.extra;
        return { value: 1e6 / ed25519UsPerUpdate, extra: { signsPerUpdate, verifiesPerUpdate, signUs, verifyUs, ed25519UsPerUpdate } };
      },
    }),
  },
  ...against('hub, 1,000 channels: customers sending', 1000, {}, { repeat: THOUSAND_REPEAT }),
  ...against('hub, 100 channels: customers and the hub sending', 100, { hubSends: true }),
  'hub, 1,000 channels: the default durable store against MemoryStore': {
    // Ours against ours, aggregate co-signed updates/s: the hub's channels all in one LogStore
    // directory (the default) or each in a MemoryStore, the customers alike in both.
    unit: 'co-signed updates/s',
    peerName: 'ours with MemoryStore',
    target: 'ratio >= 0.8',
    ours: thousand({ side: 'ours', durable: true }, (r) => r.extra.updatesPerSecond),
    peer: thousand({ side: 'ours' }, (r) => r.extra.updatesPerSecond),
  },
};
