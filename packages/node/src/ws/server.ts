/**
 * The channel WebSocket endpoint: an HTTP server answering upgrades on `/channel` (the node's
 * path). Each connection gets a session and an FSM: a new one for a new channel or a reestablish,
 * or the running one a client comes back to. The FSMs of a channel find each other in the registry.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { initialState } from '@ch/codec';
import { DataCode, errorReply, JsonRpcErrorCode, stringifyJson, type JsonValue } from '@ch/rpc';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ChainAccess } from '../fsm/chain-access.js';
import { ChannelFsm, type FsmDeps } from '../fsm/fsm.js';
import { STATE_HANDLERS } from '../fsm/handlers.js';
import { ChannelRegistry } from '../fsm/registry.js';
import type { Profile } from '../profiles.js';
import { checkOpenTerms, isReestablish, OpenRefused, readChannelOptions, readReestablishParams, type OpenRefusal, type ReestablishParams } from './query.js';
import { closeWhenIdle, IDLE_TIMEOUT_MS } from './idle-timeout.js';
import { ClientSession } from './session.js';

export interface ChannelServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The data code each refusal the node answers is reported with (sc_ws_handler handler_init_error/2). */
const REFUSAL_CODES: { readonly [R in Exclude<OpenRefusal, 'silent'>]: DataCode } = {
  participant_not_found: DataCode.PARTICIPANT_NOT_FOUND,
  value_too_low: DataCode.VALUE_TOO_LOW,
  missing_fsm_id: DataCode.MISSING_FIELD,
  invalid_fsm_id: DataCode.INVALID_FSM_ID,
};

export async function serveChannels(opts: { port: number; host: string; profile: Profile; chain: ChainAccess; idleTimeoutMs?: number }): Promise<ChannelServer> {
  const { port, host, profile, chain, idleTimeoutMs = IDLE_TIMEOUT_MS } = opts;
  const registry = new ChannelRegistry();
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((_req, res) => res.writeHead(404).end());

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/channel') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      closeWhenIdle(ws, idleTimeoutMs);
      ws.on('close', () => sockets.delete(ws));
      connect(ws, url.searchParams);
    });
  });

  function connect(ws: WebSocket, query: URLSearchParams): void {
    const session = new ClientSession({ send: (text) => ws.send(text), close: () => ws.close() }, profile);
    let fsm: ChannelFsm;
    try {
      fsm = isReestablish(query) ? reestablish(session, readReestablishParams(query)) : open(session, query);
    } catch (e) {
      return refuse(ws, e);
    }
    session.attach(fsm);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) session.received(data.toString());
    });
    ws.on('close', () => session.disconnected());
  }

  function newFsm(session: ClientSession, options: FsmDeps['options'], initial: FsmDeps['initial'], start?: FsmDeps['start']): ChannelFsm {
    const fsm: ChannelFsm = new ChannelFsm({
      options,
      initial,
      ...(start && { start }),
      profile,
      chain,
      client: session,
      handlers: STATE_HANDLERS,
      onStop: () => registry.remove(fsm, fsm.state === 'channel_closed'),
      onCache: (f) => registry.cache(f),
      onPeerLost: (f) => registry.awaitPeer(f),
    });
    return fsm;
  }

  function open(session: ClientSession, query: URLSearchParams): ChannelFsm {
    const options = readChannelOptions(query);
    checkOpenTerms(options, (account) => chain.hasAccount(account));
    const fsm = newFsm(session, options, initialState(options));
    registry.add(fsm);
    return fsm;
  }

  /**
   * A client back for a channel: to the FSM still running for it (reconnect_client), else a new
   * FSM from the state the node kept (aesc_state_cache:reestablish). Either way it must name the
   * FSM id it was given (1016 otherwise).
   */
  function reestablish(session: ClientSession, p: ReestablishParams): ChannelFsm {
    const running = registry.live(p.channelId, p.role);
    if (running !== undefined) {
      if (running.fsmId !== p.fsmId) throw new OpenRefused('invalid_fsm_id', 'not the running FSM’s id');
      running.clientReturned(session);
      return running;
    }
    const channel = chain.channel(p.channelId);
    if (channel === undefined) throw new OpenRefused('silent', `no channel ${p.channelId} on chain`);
    const cached = registry.cached(p.channelId, p.role === 'initiator' ? channel.initiatorId : channel.responderId);
    if (cached === undefined || cached.fsmId !== p.fsmId) throw new OpenRefused('invalid_fsm_id', 'no state kept under that FSM id');
    const fsm = newFsm(session, { ...cached.options, role: p.role, port: p.port }, cached.trees, p.role === 'initiator' ? 'awaiting_connect' : 'awaiting_reestablish');
    fsm.channelId = p.channelId;
    fsm.minimumDepthParams = cached.minimumDepthParams;
    fsm.clientMayDisconnect = true;
    fsm.channel.setSigned(cached.signed.tx, cached.trees);
    // The new FSM id replaces the old one for the next reestablish (aesc_state_cache:change_fsm_id).
    registry.cache(fsm);
    registry.add(fsm);
    return fsm;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    // An IPv6 address is bracketed in a URL.
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${bound}/channel`,
    port: bound,
    async close() {
      for (const ws of sockets) ws.terminate();
      // FSMs whose clients may come back would otherwise outlive the node.
      registry.stopAll();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * An open the node refuses: malformed parameters close the socket without a word; the others are
 * answered first (sc_ws_handler `handler_init_error/2`, `handler_parsing_error/3`).
 */
function refuse(ws: WebSocket, e: unknown): void {
  const reason = e instanceof OpenRefused ? e.reason : 'value_too_low';
  if (reason !== 'silent') {
    ws.send(stringifyJson(errorReply({ channelId: null, code: JsonRpcErrorCode.REJECTED, data: [REFUSAL_CODES[reason]], request: {} }) as unknown as JsonValue));
  }
  ws.close();
}
