/**
 * The page of browser.test.ts, bundled by the test with the `browser` condition: @ch/client's
 * published browser build (dist/browser.js), and one channel party living in the page. The test drives it through
 * `page.evaluate`, as `globalThis.page`. The party passes no `store`: its records go to the
 * default store, IndexedDB, and after a reload it comes back from there alone.
 */
import { fromHex } from '@ch/codec';
import * as client from '@ch/client';
import type { IdbFactory } from '../store/indexed-db-api.js';

// The page holds the built package and nothing of the sources (types aside): the browser's own IndexedDB.
const globalIndexedDb = (): IdbFactory => (globalThis as unknown as { indexedDB: IdbFactory }).indexedDB;

/** What a page-side call settled with; errors cross into the test with their `kind`. */
export type Outcome<T> = { ok: T } | { error: { name: string; kind: string | undefined; message: string } };

export interface ChannelView {
  readonly status: client.ChannelStatus;
  readonly round: bigint;
  readonly tx: string | undefined;
  readonly balances: readonly (readonly [string, bigint])[];
}

export interface PageApi {
  readonly client: typeof client;
  /** Opens the page's channel as initiator, signing with `secretHex`; resolves with its id. */
  open(options: Omit<client.OpenOptions, 'signer' | 'role' | 'store'>, secretHex: string): Promise<client.Encoded<'ch'>>;
  /** Reestablishes the page's channel from the default store. */
  reestablish(options: Omit<client.ReestablishOptions, 'signer' | 'store'>, secretHex: string): Promise<void>;
  transfer(from: client.Encoded<'ak'>, to: client.Encoded<'ak'>, amount: bigint): Promise<bigint>;
  view(): ChannelView;
  /** The Node built-ins or their shims that a bundler may have put into the page. */
  nodeGlobals(): string[];
  outcome<T>(run: () => Promise<T>): Promise<Outcome<T>>;
  /** Writes `value` under `key` with IndexedDB itself, creating the object store at `version`: a foreign record. */
  plant(database: string, objectStore: string, version: number, key: string, value: unknown): Promise<void>;
  /** Runs `run` with the browser's IndexedDB altered while it runs: see `Alteration`. */
  altered<T>(alteration: Alteration, run: () => Promise<T>): Promise<{ value: Outcome<T>; opens: number }>;
}

/**
 * `count` leaves IndexedDB as it is and counts its `open` calls; `unanswered-open` makes every
 * `open` return a request that never fires an event; `throwing-upgrade` makes `createObjectStore`
 * throw, as a schema migration with a bug would.
 */
export type Alteration = 'count' | 'unanswered-open' | 'throwing-upgrade';

let channel: client.Channel | undefined;
const current = (): client.Channel => {
  if (!channel) throw new Error('the page has no channel yet');
  return channel;
};

const api: PageApi = {
  client,
  async open(options, secretHex) {
    channel = await client.Channel.open({ ...options, role: 'initiator', signer: client.secretKeySigner(fromHex(secretHex)) });
    return channel.channelId!;
  },
  async reestablish(options, secretHex) {
    channel = await client.Channel.reestablish({ ...options, signer: client.secretKeySigner(fromHex(secretHex)) });
  },
  transfer: (from, to, amount) => current().transfer(from, to, amount),
  view() {
    const c = current();
    return { status: c.status, round: c.round, tx: c.state?.tx, balances: [...(c.state?.state.balances ?? [])] };
  },
  nodeGlobals: () => ['process', 'Buffer', 'global', 'require', 'module', 'setImmediate'].filter((name) => name in globalThis),
  async outcome(run) {
    try {
      return { ok: await run() };
    } catch (e) {
      const error = e as Error & { kind?: string };
      return { error: { name: error.name, kind: error.kind, message: error.message } };
    }
  },
  plant(database, objectStore, version, key, value) {
    return new Promise((resolve, reject) => {
      const request = globalIndexedDb().open(database, version);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(objectStore)) request.result.createObjectStore(objectStore);
      };
      request.onerror = () => reject(new Error(`cannot open ${database}`));
      request.onsuccess = () => {
        const db = request.result;
        const tx = db.transaction(objectStore, 'readwrite');
        tx.objectStore(objectStore).put(value, key);
        tx.oncomplete = () => {
          db.close();
          resolve();
        };
        tx.onabort = () => reject(new Error(`cannot write to ${database}`));
      };
    });
  },
  async altered(alteration, run) {
    const factory = globalIndexedDb() as unknown as { open: (name: string, version: number) => unknown };
    const database = (globalThis as unknown as { IDBDatabase: { prototype: { createObjectStore: unknown } } }).IDBDatabase.prototype;
    const { open } = factory;
    const { createObjectStore } = database;
    let opens = 0;
    // Own properties shadow the prototypes' methods until deleted.
    factory.open = (name, version) => {
      opens += 1;
      return alteration === 'unanswered-open' ? { result: undefined, error: null } : open.call(factory, name, version);
    };
    if (alteration === 'throwing-upgrade') {
      database.createObjectStore = () => {
        throw new Error('a migration with a bug');
      };
    }
    try {
      return { value: await api.outcome(run), opens };
    } finally {
      delete (factory as Partial<typeof factory>).open;
      database.createObjectStore = createObjectStore;
    }
  },
};

(globalThis as unknown as { page: PageApi }).page = api;
