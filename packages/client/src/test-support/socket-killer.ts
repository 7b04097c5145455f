/**
 * A TCP proxy on 127.0.0.1 in front of a node, one per client, that can kill the sockets through
 * it: both ends are destroyed at once, as a network drop would leave them, while the client's
 * process and the node go on. Nothing is parsed: WebSocket frames pass through as bytes.
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface SocketKiller {
  /** `ws://127.0.0.1:<port>/channel`: the node's URL, through the proxy. */
  readonly url: string;
  /** Connections made through the proxy so far. */
  readonly connections: number;
  /** Destroys every live connection; returns how many there were. */
  kill(): number;
  /** While down, every new connection is destroyed at once: the network is out. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export async function startSocketKiller(nodePort: number): Promise<SocketKiller> {
  const live = new Set<[Socket, Socket]>();
  let connections = 0;
  let down = false;
  const server = createServer((client) => {
    connections++;
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(nodePort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    live.add(pair);
    const drop = (): void => {
      live.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const kill = (): number => {
    const killed = live.size;
    for (const [client, upstream] of [...live]) {
      client.destroy();
      upstream.destroy();
    }
    live.clear();
    return killed;
  };
  return {
    url: `ws://127.0.0.1:${port}/channel`,
    get connections() {
      return connections;
    },
    kill,
    setDown: (value) => {
      down = value;
    },
    async close() {
      kill();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
