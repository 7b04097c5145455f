/**
 * A proxy's listening side: an ephemeral port on 127.0.0.1, and the urls that reach it, so a test
 * points a client at the proxy by rewriting the node's url.
 */
import type { AddressInfo, Server } from 'node:net';

/** Listens on a free port of 127.0.0.1; resolves with a function giving `target` (a url) with that host and port in its place. */
export async function listenOnLoopback(server: Server): Promise<(target: string) => string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return (target) => {
    const u = new URL(target);
    u.host = `127.0.0.1:${port}`;
    return u.toString();
  };
}
