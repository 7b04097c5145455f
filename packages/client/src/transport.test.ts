import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocketServer } from 'ws';
import { ChannelErrorKind, TimeoutError } from './errors.js';
import { connectWebSocket } from './transport.js';

const quiet = { onMessage: () => undefined, onClose: () => undefined };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('the WebSocket transport', () => {
  test('text both ways, and one close report', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    server.on('connection', (ws) => {
      ws.send('hello');
      ws.on('message', (data) => (String(data) === 'bye' ? ws.close(4000, 'asked to') : ws.send(`echo ${String(data)}`)));
    });
    const got: string[] = [];
    const closed: [number, string][] = [];
    const { port } = server.address() as { port: number };
    const transport = await connectWebSocket(`ws://127.0.0.1:${port}`, { onMessage: (t) => got.push(t), onClose: (c, r) => closed.push([c, r]) }, 1000);
    transport.send('ping');
    await new Promise((resolve) => setTimeout(resolve, 50));
    transport.send('bye');
    await new Promise((resolve) => setTimeout(resolve, 50));
    transport.send('after the close: dropped, not thrown');
    expect(got).toEqual(['hello', 'echo ping']);
    expect(closed).toEqual([[4000, 'asked to']]);
  });

  test('nothing listening: a typed disconnected error', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    await expect(connectWebSocket(`ws://127.0.0.1:${port}`, quiet, 1000)).rejects.toMatchObject({ kind: ChannelErrorKind.DISCONNECTED });
  });

  test('a server that never answers the upgrade: a timeout, as configured', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    closers.push(
      () =>
        new Promise((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );
    const { port } = server.address() as { port: number };
    const started = Date.now();
    await expect(connectWebSocket(`ws://127.0.0.1:${port}`, quiet, 200)).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
