/**
 * Node's side of the platform seam `#platform` (package.json "imports"; the `browser` condition
 * picks browser.ts instead): co-signed states go to a LogStore in the working directory, and
 * sockets are `ws`'s. The seam is resolved when the package is built, so the published manifest
 * maps nothing (`publishConfig.imports` is empty): its targets are sources it does not ship.
 */
import { join } from 'node:path';
import WebSocket from 'ws';
import { LogStore } from '../store/log-store.js';
import type { ChannelStore } from '../store/store.js';
import type { WebSocketClass } from '../transport.js';

export const DEFAULT_STORE_DIRECTORY = '.ch-channels';

export function defaultStore(): ChannelStore {
  return new LogStore(join(process.cwd(), DEFAULT_STORE_DIRECTORY));
}

export function webSocketClass(): WebSocketClass {
  return WebSocket as unknown as WebSocketClass;
}
