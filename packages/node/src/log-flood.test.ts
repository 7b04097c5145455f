/**
 * A crowd of violators does not write a log line each: 100 connections dropped together for not
 * upgrading give at most 20 lines in that second and one line summing up the rest; a connection
 * dropped after it is logged again.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startNode, type RunningNode } from './node.js';
import { NETWORK_ID } from './test-support/channel.js';

const HANDSHAKE_MS = 200;
const lines: string[] = [];
let node: RunningNode;
beforeAll(async () => {
  node = await startNode({ networkId: NETWORK_ID, limits: { handshakeTimeoutMs: HANDSHAKE_MS }, log: (line) => lines.push(line) });
});
afterAll(() => node.stop());

/** Opens `n` connections that never upgrade; resolves once the node has dropped them all. */
async function idleCrowd(n: number): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, () => {
      const socket = connect(node.port, '127.0.0.1');
      socket.on('error', () => undefined);
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('not dropped within 5 s')), 5000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }),
  );
}

/** Waits until a line matches `pattern`; fails after `ms`. */
async function lineMatching(pattern: RegExp, ms: number): Promise<string> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
    const line = lines.find((l) => pattern.test(l));
    if (line !== undefined) return line;
  }
  throw new Error(`no line matching ${pattern} within ${ms} ms; got ${lines.length}: ${lines.slice(-3).join(' | ')}`);
}

test('100 connections dropped at once write 20 lines and one summing up the other 80; a later one is logged again', async () => {
  await idleCrowd(100);
  const summary = await lineMatching(/^… \d+ more like it/, 2000);
  const dropped = lines.filter((l) => l.includes('no WebSocket upgrade'));
  console.log(`log lines for 100 dropped connections: ${dropped.length}, then "${summary}"`);
  expect(dropped).toHaveLength(20);
  expect(summary).toBe('… 80 more like it (over 20 lines a second)');
  // A second later the rate allows lines again.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  lines.length = 0;
  await idleCrowd(1);
  expect(await lineMatching(/no WebSocket upgrade in 200 ms, dropped$/, 2000)).toMatch(/^127\.0\.0\.1:\d+: /);
  expect(lines).toHaveLength(1);
});
