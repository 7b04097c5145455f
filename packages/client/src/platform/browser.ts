/**
 * The browser's side of the platform seam `#platform` (see node.ts): co-signed states go to
 * IndexedDB, and sockets are the page's own `WebSocket`. Nothing here may import a Node module.
 */
import { ChannelError, ChannelErrorKind } from '../errors.js';
import { IndexedDbStore } from '../store/indexed-db-store.js';
import type { ChannelStore } from '../store/store.js';
import type { WebSocketClass } from '../transport.js';

let shared: IndexedDbStore | undefined;

/** One store for every channel of the page, so they share one IndexedDB connection rather than hold one each. */
export function defaultStore(): ChannelStore {
  shared ??= new IndexedDbStore();
  return shared;
}

/** Looked up when a channel connects, not when the module loads, so a polyfill installed later counts. */
export function webSocketClass(): WebSocketClass {
  const Native = (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  if (Native === undefined) throw new ChannelError(ChannelErrorKind.DISCONNECTED, 'this runtime has no WebSocket: pass a `transport`');
  return Native;
}
