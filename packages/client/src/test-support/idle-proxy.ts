/**
 * A TCP proxy on 127.0.0.1 that drops a client after `idleMs` without a byte from it, as load
 * balancers and NATs drop idle connections: both sockets are destroyed, no close frame is sent.
 * What the node sends does not count, so only the client's own frames keep it connected.
 */
import { createServer, connect, type Socket } from 'node:net';
import { listenOnLoopback } from './loopback.js';

export interface IdleProxy {
  /** `target` (a `ws://host:port/…` url) with the proxy's port in its place. */
  url(target: string): string;
  /** Connections dropped for idleness so far. */
  readonly dropped: number;
  /** From now on nothing the node sends reaches the clients (what the clients send still goes through). */
  mute(): void;
  close(): Promise<void>;
}

export async function startIdleProxy(target: { host: string; port: number }, idleMs: number): Promise<IdleProxy> {
  const sockets = new Set<Socket>();
  let dropped = 0;
  let muted = false;
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // A reset on one side ends both; the other side's close says the rest.
      s.on('error', () => undefined);
    }
    const idle = setTimeout(() => {
      dropped++;
      client.destroy();
      upstream.destroy();
    }, idleMs);
    client.on('data', () => idle.refresh());
    client.on('close', () => {
      clearTimeout(idle);
      upstream.destroy();
    });
    upstream.on('close', () => {
      clearTimeout(idle);
      client.destroy();
    });
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => void (muted || client.write(chunk)));
  });
  const url = await listenOnLoopback(server);
  return {
    url,
    get dropped() {
      return dropped;
    },
    mute() {
      muted = true;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
