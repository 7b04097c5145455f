/** The URL the node reports is one a client can connect to, for IPv4 and IPv6 hosts alike. */
import { connect, createServer } from 'node:net';
import { expect, test } from 'vitest';
import { startNode } from './node.js';

const ipv6 = await new Promise<boolean>((resolve) => {
  const probe = createServer().once('error', () => resolve(false));
  probe.listen(0, '::1', () => probe.close(() => resolve(true)));
});
if (!ipv6) console.log('listen.test.ts: no IPv6 loopback (::1) on this machine; the IPv6 case is skipped');

async function reachable(host: string): Promise<void> {
  const node = await startNode({ host, networkId: 'ae_devnet' });
  try {
    const url = new URL(node.url);
    expect(url.protocol).toBe('ws:');
    expect(url.pathname).toBe('/channel');
    expect(Number(url.port)).toBe(node.port);
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: node.port }, () => {
        socket.end();
        resolve();
      });
      socket.once('error', reject);
      socket.setTimeout(5000, () => reject(new Error(`no connection to ${node.url} within 5 s`)));
    });
  } finally {
    await node.stop();
  }
}

test('on an IPv4 host the reported URL parses and reaches the node', () => reachable('127.0.0.1'));
test.skipIf(!ipv6)('on an IPv6 host the reported URL is bracketed, parses and reaches the node', () => reachable('::1'));
