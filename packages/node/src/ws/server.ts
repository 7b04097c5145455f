/**
 * The channel WebSocket endpoint: an HTTP server answering upgrades on `/channel` (the node's
 * path). Each connection gets a session and an FSM; the two FSMs of a channel find each other
 * in the registry.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { initialState } from '@ch/codec';
import { DataCode, errorReply, JsonRpcErrorCode, stringifyJson, type JsonValue } from '@ch/rpc';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ChainAccess } from '../fsm/chain-access.js';
import { ChannelFsm } from '../fsm/fsm.js';
import { STATE_HANDLERS } from '../fsm/handlers.js';
import { ChannelRegistry } from '../fsm/registry.js';
import type { Profile } from '../profiles.js';
import { checkOpenTerms, OpenRefused, readChannelOptions } from './query.js';
import { ClientSession } from './session.js';

export interface ChannelServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function serveChannels(opts: { port: number; host: string; profile: Profile; chain: ChainAccess }): Promise<ChannelServer> {
  const { port, host, profile, chain } = opts;
  const registry = new ChannelRegistry();
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((_req, res) => res.writeHead(404).end());

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/channel') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      openChannel(ws, url.searchParams);
    });
  });

  function openChannel(ws: WebSocket, query: URLSearchParams): void {
    const session = new ClientSession({ send: (text) => ws.send(text), close: () => ws.close() }, profile);
    let fsm: ChannelFsm;
    try {
      const options = readChannelOptions(query);
      checkOpenTerms(options, (account) => chain.hasAccount(account));
      fsm = new ChannelFsm({
        options,
        profile,
        chain,
        client: session,
        initial: initialState(options),
        handlers: STATE_HANDLERS,
        onStop: () => registry.remove(fsm),
      });
    } catch (e) {
      return refuse(ws, e);
    }
    session.attach(fsm);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) session.received(data.toString());
    });
    ws.on('close', () => session.disconnected());
    registry.add(fsm);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `ws://${host}:${bound}/channel`,
    port: bound,
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * An open the node refuses: malformed parameters close the socket without a word; unknown
 * participants and amounts too low are answered first (sc_ws_handler `handler_init_error/2`).
 */
function refuse(ws: WebSocket, e: unknown): void {
  const reason = e instanceof OpenRefused ? e.reason : 'value_too_low';
  if (reason !== 'silent') {
    const data = reason === 'participant_not_found' ? DataCode.PARTICIPANT_NOT_FOUND : DataCode.VALUE_TOO_LOW;
    ws.send(stringifyJson(errorReply({ channelId: null, code: JsonRpcErrorCode.REJECTED, data: [data], request: {} }) as unknown as JsonValue));
  }
  ws.close();
}
