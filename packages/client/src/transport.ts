/**
 * The WebSocket under a channel: `ws` in Node, the page's `WebSocket` in browsers, as the build
 * for each platform picks it (`#platform`), so a browser bundle never holds `ws`. A
 * `TransportFactory` can be passed instead, for other runtimes or tests.
 */
import { webSocketClass } from '#platform';
import { ChannelError, ChannelErrorKind, TimeoutError } from './errors.js';

export interface TransportHandlers {
  onMessage(text: string): void;
  /** Called once, whoever closed the socket. */
  onClose(code: number, reason: string): void;
}

export interface Transport {
  send(text: string): void;
  close(): void;
}

export type TransportFactory = (url: string, handlers: TransportHandlers, timeoutMs: number) => Promise<Transport>;

/** What this module uses of a WebSocket: the browser's API, which `ws` has too (the DOM lib is not part of this package's types). */
interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: { data?: unknown; code?: number; reason?: string }) => void): void;
}
export type WebSocketClass = new (url: string) => WebSocketLike;

const OPEN = 1;

/** The default transport. */
export const connectWebSocket: TransportFactory = async (url, handlers, timeoutMs) => {
  const WebSocket = webSocketClass();
  return open(new WebSocket(url), url, handlers, timeoutMs);
};

/** Waits for the socket to open (or fail, or time out) and wires its events to `handlers`. */
function open(socket: WebSocketLike, url: string, handlers: TransportHandlers, timeoutMs: number): Promise<Transport> {
  return new Promise((resolve, reject) => {
    let opened = false;
    let closed = false;
    const timer = setTimeout(() => {
      reject(new TimeoutError(`connecting to ${url}`, timeoutMs));
      socket.close();
    }, timeoutMs);
    socket.addEventListener('open', () => {
      clearTimeout(timer);
      opened = true;
      resolve({
        send: (text) => {
          if (socket.readyState === OPEN) socket.send(text);
        },
        close: () => socket.close(),
      });
    });
    socket.addEventListener('message', (event) => handlers.onMessage(typeof event.data === 'string' ? event.data : String(event.data)));
    // 'error' is always followed by 'close'; the close is what settles things.
    socket.addEventListener('error', () => undefined);
    socket.addEventListener('close', (event) => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      if (!opened) reject(new ChannelError(ChannelErrorKind.DISCONNECTED, `could not connect to ${url} (close code ${event.code ?? 'none'})`));
      else handlers.onClose(event.code ?? 1006, event.reason ?? '');
    });
  });
}
