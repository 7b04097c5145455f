/**
 * The channel WebSocket endpoint: an HTTP server answering upgrades on `/channel` (the node's
 * path). Each connection gets a session and an FSM: a new one for a new channel or a reestablish,
 * or the running one a client comes back to. The FSMs of a channel find each other in the registry.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
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
import { CloseCode, ConnectionGuard } from './guard.js';
import { closeWhenIdle } from './idle-timeout.js';
import type { ConnectionLimits } from './limits.js';
import { rateLimitedLog } from './log-rate.js';
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

/** Lines a second about single connections (refused, dropped, closed for a violation); the rest are summed up. */
const CONNECTION_LOG_LINES_PER_SECOND = 20;

export async function serveChannels(opts: { port: number; host: string; profile: Profile; chain: ChainAccess; limits: ConnectionLimits; log: (line: string) => void }): Promise<ChannelServer> {
  const { port, host, profile, chain, limits } = opts;
  // Lines about one connection go through `log`, held to a rate; the server's own through `opts.log`.
  const log = rateLimitedLog(opts.log, CONNECTION_LOG_LINES_PER_SECOND);
  const registry = new ChannelRegistry();
  const sockets = new Set<WebSocket>();
  /** TCP connections not yet upgraded, oldest first. */
  const pending = new Set<Socket>();
  let connections = 0;
  let sessions = 0;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, maxFragments: limits.maxFragments, clientTracking: false });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.headersTimeout = limits.handshakeTimeoutMs;
  server.requestTimeout = limits.handshakeTimeoutMs;
  wss.on('error', (e) => opts.log(`server: ${e.message}`));
  server.on('clientError', (_e, socket: Duplex) => socket.destroy());

  server.on('connection', (socket: Socket) => {
    // A reset or a write to a peer gone is an error on its socket, never the node's.
    socket.on('error', () => undefined);
    if (connections >= limits.maxConnections) {
      log(`${peerOf(socket)}: over ${limits.maxConnections} connections, refused`);
      return socket.destroy();
    }
    connections++;
    // A connection still short of a WebSocket makes room for this new one: the oldest other that
    // has sent nothing yet, else the oldest other. A crowd opening idle connections fast then
    // evicts only its own, never a client halfway through its upgrade request; a crowd that sends
    // a byte on each still makes room for every newcomer, which has the handshake timeout to upgrade.
    if (pending.size >= limits.maxPendingConnections) {
      const evicted = oldestIdle(pending) ?? pending.values().next().value;
      if (evicted !== undefined) {
        log(`${peerOf(evicted)}: over ${limits.maxPendingConnections} connections before upgrade, dropped (${evicted.bytesRead === 0 ? 'the oldest idle' : 'none idle, the oldest'})`);
        pending.delete(evicted);
        evicted.destroy();
      }
    }
    pending.add(socket);
    const handshake = setTimeout(() => {
      if (!pending.delete(socket)) return;
      log(`${peerOf(socket)}: no WebSocket upgrade in ${limits.handshakeTimeoutMs} ms, dropped`);
      socket.destroy();
    }, limits.handshakeTimeoutMs);
    socket.once('close', () => {
      connections--;
      pending.delete(socket);
      clearTimeout(handshake);
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    pending.delete(socket as Socket);
    const url = URL.parse(req.url ?? '/', 'http://localhost');
    // `GET //` and the like are no URL at all: dropped as any other path.
    if (url?.pathname !== '/channel') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      const guard = new ConnectionGuard(ws, limits, log, peerOf(socket as Socket));
      closeWhenIdle(guard, limits.idleTimeoutMs);
      ws.on('close', () => sockets.delete(ws));
      connect(guard, url.searchParams);
    });
  });

  function connect(guard: ConnectionGuard, query: URLSearchParams): void {
    const { ws } = guard;
    const socket = { send: (text: string) => guard.send(text), close: () => ws.close(), pauseReading: () => guard.reading.hold('backlog'), resumeReading: () => guard.reading.release('backlog') };
    const session = new ClientSession(socket, profile, limits);
    const returning = isReestablish(query);
    // As aesc_limits: a new channel is refused beyond the cap; a client coming back for one is not.
    if (!returning && sessions >= limits.maxSessions) {
      guard.send(stringifyJson(errorReply({ channelId: null, code: JsonRpcErrorCode.INTERNAL_ERROR, request: {} }) as unknown as JsonValue));
      return guard.shut(CloseCode.TRY_AGAIN_LATER, `over ${limits.maxSessions} sessions`);
    }
    let fsm: ChannelFsm;
    try {
      fsm = returning ? reestablish(session, readReestablishParams(query)) : open(session, query);
    } catch (e) {
      return refuse(guard, e);
    }
    sessions++;
    session.attach(fsm);
    ws.on('message', (data, isBinary) => {
      // binaryType is ws's default, 'nodebuffer': every message is one Buffer.
      guard.deliver((data as Buffer).length, () => {
        if (isBinary) return;
        const text = data.toString();
        if (guard.acceptText(text)) session.received(text);
      });
    });
    ws.on('close', () => {
      sessions--;
      session.disconnected();
    });
  }

  function newFsm(session: ClientSession, options: FsmDeps['options'], initial: FsmDeps['initial'], start?: FsmDeps['start'], channelId?: FsmDeps['channelId']): ChannelFsm {
    const fsm: ChannelFsm = new ChannelFsm({
      options,
      initial,
      ...(start && { start }),
      ...(channelId && { channelId }),
      profile,
      chain,
      client: session,
      maxFrameBytes: limits.maxFrameBytes,
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
    const fsm = newFsm(session, { ...cached.options, role: p.role, port: p.port }, cached.trees, p.role === 'initiator' ? 'awaiting_connect' : 'awaiting_reestablish', p.channelId);
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
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (e) => opts.log(`server: ${e.message}`));
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    // An IPv6 address is bracketed in a URL.
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${bound}/channel`,
    port: bound,
    async close() {
      for (const ws of sockets) ws.terminate();
      for (const socket of pending) socket.destroy();
      // FSMs whose clients may come back would otherwise outlive the node.
      registry.stopAll();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * An open the node refuses: malformed parameters close the socket without a word; the others are
 * answered first (sc_ws_handler `handler_init_error/2`, `handler_parsing_error/3`). Either way the
 * handler stops, which cowboy closes with 1000; a client that leaves the close unanswered is cut
 * off after the handshake timeout.
 */
function refuse(guard: ConnectionGuard, e: unknown): void {
  const reason = e instanceof OpenRefused ? e.reason : 'value_too_low';
  if (reason !== 'silent') {
    guard.send(stringifyJson(errorReply({ channelId: null, code: JsonRpcErrorCode.REJECTED, data: [REFUSAL_CODES[reason]], request: {} }) as unknown as JsonValue));
  }
  guard.shut(CloseCode.NORMAL, '', false);
}

/** The oldest of `sockets` (in the order added) that has not sent a byte. */
function oldestIdle(sockets: ReadonlySet<Socket>): Socket | undefined {
  for (const socket of sockets) if (socket.bytesRead === 0) return socket;
  return undefined;
}

function peerOf(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}
