/**
 * The store a channel uses when none is given. Co-signed states are money: a default that keeps
 * them only in memory would lose them with the process, so in Node the default is a `FileStore` in
 * `.ch-channels/` of the working directory, where `Channel.reestablish` finds them again after a
 * restart. Runtimes without a file system (browsers) have no safe default and must pass a store.
 */
import { ChannelError, ChannelErrorKind } from '../errors.js';
import { FileStore } from './file-store.js';
import type { ChannelStore } from './store.js';

export const DEFAULT_STORE_DIRECTORY = '.ch-channels';

export function defaultStore(): ChannelStore {
  const cwd = (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.();
  if (cwd === undefined) {
    throw new ChannelError(ChannelErrorKind.NOT_ALLOWED, 'this runtime has no file system for the default store: pass a `store` that keeps records durably');
  }
  return new FileStore(`${cwd}/${DEFAULT_STORE_DIRECTORY}`);
}
