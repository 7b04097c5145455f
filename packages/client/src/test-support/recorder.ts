/**
 * A recording WebSocket proxy on 127.0.0.1: the clients of a scenario connect to it instead of
 * the node, and it passes every frame through unchanged while noting who sent what, so the client
 * needs no change to be recorded. A connection the node refuses at the handshake is refused to the
 * client with the same HTTP status; a close is passed on with its code. `drop(role)` cuts that
 * participant's socket without a close frame, as a lost network does.
 *
 * The recording becomes a transcript in the corpus format of fixtures/transcripts (`toTranscript`).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { parseJson, stringifyJson, type JsonValue } from '@ch/rpc';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Role } from '../signer.js';
import { listenOnLoopback } from './loopback.js';

export type WireEvent =
  | { readonly conn: number; readonly actor: Role; readonly kind: 'open'; readonly path: string }
  | { readonly conn: number; readonly actor: Role; readonly kind: 'frame'; readonly dir: 'send' | 'recv'; readonly text: string }
  | { readonly conn: number; readonly actor: Role; readonly kind: 'close' };

export interface WireRecorder {
  /** `target` (the node's `ws://host:port/channel` url) through the proxy. */
  url(target: string): string;
  /** What went over the wire so far, in the order the proxy saw it. */
  readonly events: readonly WireEvent[];
  /** Cuts `role`'s open sockets without a close frame. */
  drop(role: Role): void;
  close(): Promise<void>;
}

/** Close codes an endpoint may send in a close frame; others (1005, 1006, …) only describe a close. */
const sendable = (code: number) => (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);

export async function startRecorder(target: string): Promise<WireRecorder> {
  const upstreamBase = new URL(target);
  const events: WireEvent[] = [];
  const live = new Map<number, { role: Role; client: WebSocket; upstream: WebSocket }>();
  const sockets = new Set<Socket>();
  let nextConn = 0;
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const path = req.url ?? '/';
    const role = (new URL(path, 'ws://x').searchParams.get('role') ?? 'initiator') as Role;
    const conn = nextConn++;
    const upstream = new WebSocket(new URL(path, upstreamBase).toString());
    // What the node sends before the client's side of the handshake is done waits for it.
    const early: RawData[] = [];
    upstream.on('message', (data) => early.push(data));
    upstream.once('unexpected-response', (_r, response) => {
      socket.end(`HTTP/1.1 ${response.statusCode ?? 502} ${response.statusMessage ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      upstream.terminate();
    });
    upstream.once('error', () => socket.destroy());
    upstream.once('open', () => {
      wss.handleUpgrade(req, socket, head, (client) => {
        events.push({ conn, actor: role, kind: 'open', path });
        live.set(conn, { role, client, upstream });
        const recv = (data: RawData) => {
          const text = data.toString();
          events.push({ conn, actor: role, kind: 'frame', dir: 'recv', text });
          client.send(text);
        };
        upstream.removeAllListeners('message');
        upstream.on('message', recv);
        for (const data of early.splice(0)) recv(data);
        client.on('message', (data) => {
          const text = data.toString();
          events.push({ conn, actor: role, kind: 'frame', dir: 'send', text });
          upstream.send(text);
        });
        let closed = false;
        const closeBoth = (code: number, reason: Buffer) => {
          if (closed) return;
          closed = true;
          live.delete(conn);
          events.push({ conn, actor: role, kind: 'close' });
          for (const ws of [client, upstream]) {
            if (sendable(code)) ws.close(code, reason);
            else ws.terminate();
          }
        };
        client.on('close', closeBoth);
        upstream.on('close', closeBoth);
        client.on('error', () => closeBoth(1006, Buffer.alloc(0)));
        upstream.on('error', () => closeBoth(1006, Buffer.alloc(0)));
      });
    });
  });
  const url = await listenOnLoopback(server);
  return {
    url,
    events,
    drop(role) {
      // The client's socket is cut; closing it ends the node's side too (closeBoth), without a close frame.
      for (const { role: r, client } of live.values()) if (r === role) client.terminate();
    },
    async close() {
      for (const { client, upstream } of live.values()) {
        client.terminate();
        upstream.terminate();
      }
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One recorded frame, parsed losslessly (ids near -2^59, amounts past 2^53). */
export function frameJson(text: string): { [key: string]: JsonValue } {
  return parseJson(text) as { [key: string]: JsonValue };
}

export interface TranscriptMeta {
  /** What the file records, e.g. `real-node/open_transfer_close`. */
  readonly source: string;
  readonly node: string;
  readonly networkId: string;
}

/**
 * The recording in the corpus JSON format (fixtures/README.md): one step per frame and per socket
 * opened or closed, the participants' ids as recorded, replies linked to their requests.
 */
export function toTranscript(events: readonly WireEvent[], meta: TranscriptMeta): string {
  const steps: Record<string, JsonValue>[] = [];
  /** Per connection and JSON-RPC id: the request's step. */
  const asked = new Map<string, Record<string, JsonValue>>();
  for (const e of events) {
    const base = { index: steps.length, actor: e.actor };
    if (e.kind === 'open') {
      const url = new URL(e.path, 'ws://localhost:3014');
      steps.push({ ...base, dir: 'event', title: `${e.actor} opens a WebSocket connection`, message: null, event: 'ws_open', url: url.toString(), query: Object.fromEntries(url.searchParams) });
    } else if (e.kind === 'close') {
      steps.push({ ...base, dir: 'event', title: `${e.actor} WebSocket connection closed`, message: null, event: 'ws_close' });
    } else {
      const message = frameJson(e.text);
      const hasId = message.id !== undefined && message.id !== null;
      const kind = typeof message.method === 'string' ? (hasId ? 'request' : 'notification') : 'error' in message ? 'error_response' : 'response';
      const title = e.dir === 'send' ? `${e.actor} ---> node` : `${e.actor} <--- node`;
      const step: Record<string, JsonValue> = { ...base, dir: e.dir, title, message, kind };
      const key = `${e.conn} ${String(message.id)}`;
      if (kind === 'request' && e.dir === 'send') asked.set(key, step);
      if ((kind === 'response' || kind === 'error_response') && e.dir === 'recv' && asked.has(key)) {
        const request = asked.get(key)!;
        asked.delete(key);
        request.reply_step = step.index as number;
        step.in_reply_to = request.index as number;
      }
      steps.push(step);
    }
  }
  const head = { source: meta.source, repo: 'aeternity/aeternity', node: meta.node, network_id: meta.networkId, parse_failures: [] };
  return `${stringifyJson(head).slice(0, -1)},"steps":[\n${steps.map((s) => stringifyJson(s)).join(',\n')}\n]}\n`;
}
