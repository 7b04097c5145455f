/**
 * Keep-alive against a proxy that drops clients after 60 s without a frame from them (as load
 * balancers do, and as the node itself does): a channel idle for 70 s behind it stays open and
 * transfers with keep-alive on (the default), and is dropped with it off. Both cases on both
 * counterparts run at once, so the file takes about 85 s. A pong that never comes back counts as a
 * lost connection.
 */
import { describe, expect, test } from 'vitest';
import type { ChannelStatus } from './state-machine.js';
import type { OpenOptions } from './options.js';
import { describeOnBothNodes, openOn, type Counterpart } from './test-support/counterparts.js';
import { startIdleProxy } from './test-support/idle-proxy.js';
import { until } from './test-support/until.js';

const PROXY_IDLE_MS = 60_000;
const QUIET_MS = 70_000;

/** A channel between accounts `pair` whose clients both reach the counterpart through a proxy dropping them after `idleMs` of silence. */
async function behindProxy(counterpart: Counterpart, pair: readonly [number, number], idleMs: number, keepAlive: OpenOptions['keepAlive']) {
  const target = new URL(counterpart.url);
  const proxy = await startIdleProxy({ host: target.hostname, port: Number(target.port) }, idleMs);
  const side = { url: proxy.url(counterpart.url), ...(keepAlive !== undefined && { keepAlive }) };
  const channel = await openOn(counterpart, pair, { initiator: side, responder: side });
  const statuses: ChannelStatus[] = [];
  channel.I.on('status', (status) => void statuses.push(status));
  return {
    ...channel,
    proxy,
    statuses,
    async close() {
      channel.close();
      await proxy.close();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Both counterparts at once, and both cases of each at once: the idle minutes overlap.
describe.concurrent('keep-alive', () => {
  describeOnBothNodes('keep-alive', (counterpart) => {
    test.concurrent(
      'with keep-alive on (the default), a channel idle for 70 s behind a proxy that drops clients silent for 60 s stays open and transfers',
      async () => {
        const c = await behindProxy(counterpart(), [0, 1], PROXY_IDLE_MS, undefined);
        try {
          await sleep(QUIET_MS);
          expect(c.proxy.dropped).toBe(0);
          expect([c.I.status, c.R.status]).toEqual(['open', 'open']);
          expect(await c.I.transfer(c.i, c.r, 5n)).toBe(2n);
          expect(await c.R.transfer(c.r, c.i, 2n)).toBe(3n);
          await until(() => c.I.round === 3n && c.R.round === 3n, 10_000);
        } finally {
          await c.close();
        }
      },
      150_000,
    );

    test.concurrent(
      'with keep-alive off, the same channel is dropped after a minute idle',
      async () => {
        const c = await behindProxy(counterpart(), [2, 3], PROXY_IDLE_MS, false);
        try {
          const opened = Date.now();
          await until(() => c.statuses.length > 0, QUIET_MS);
          // By the proxy, or by the node's own minute that runs alongside it: either way after a
          // minute, and the socket is lost (whether the client then reconnects is another matter).
          expect(Date.now() - opened).toBeGreaterThanOrEqual(PROXY_IDLE_MS - 1_000);
          expect(['disconnected', 'reconnecting']).toContain(c.statuses[0]);
        } finally {
          await c.close();
        }
      },
      150_000,
    );

    test.concurrent(
      'a pong that does not come back counts as a lost connection',
      async () => {
        const c = await behindProxy(counterpart(), [4, 5], PROXY_IDLE_MS, { intervalMs: 300, timeoutMs: 500 });
        try {
          // Why the socket was lost: the reconnect attempt's error, or the pending transfer's.
          const reasons: string[] = [];
          c.I.on('reconnecting', (attempt) => void reasons.push(String((attempt as { error?: Error }).error?.message)));
          c.proxy.mute();
          const started = Date.now();
          c.I.transfer(c.i, c.r, 5n).catch((e: Error) => void reasons.push(e.message));
          await until(() => reasons.length > 0, 5_000);
          expect(reasons[0]).toMatch(/no pong to the keep-alive ping within 500 ms/);
          expect(Date.now() - started).toBeLessThan(3_000);
          expect(['disconnected', 'reconnecting']).toContain(c.statuses[0]);
        } finally {
          await c.close();
        }
      },
      60_000,
    );
  });
});
