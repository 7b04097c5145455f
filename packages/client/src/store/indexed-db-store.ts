/**
 * Channel records in IndexedDB, the default store in browsers. One object store holds one value
 * per channel and role, keyed `<channel id>/<role>`: the record wrapped as every durable store keeps it
 * (record-format.ts), and checked the same way when loaded. Structured clone keeps bigints exact.
 *
 * Durability: `save` writes in a readwrite transaction opened with `durability: 'strict'` and
 * resolves only on its `complete` event, which the browser then fires only once the data is
 * flushed to disk (FileStore's fsync); an `error`, an `abort` (a full quota among them) or a value
 * that cannot be stored rejects with a `ChannelError` of kind `store`.
 *
 * Schema, version 1: the object store, out-of-line string keys. A database of a newer version is
 * refused rather than written with an older schema.
 *
 * Connection: one per store, opened on first use and kept; opening has a deadline, since a browser
 * may leave an `open` request unanswered (another tab mid-upgrade, a stuck profile) and a channel
 * must not wait on it forever.
 */
import type { Encoded } from '@ch/codec';
import type { Role } from '../signer.js';
import { StoreError, StoreErrorCode } from '../errors.js';
import { globalIndexedDb, type IdbDatabase, type IdbFactory, type IdbOpenRequest } from './indexed-db-api.js';
import { unwrapRecord, wrapRecord } from './record-format.js';
import { onlyRecord, ROLES, type ChannelRecord, type ChannelStore } from './store.js';

/** The database schema's version; `upgradeneeded` brings older databases up to it. */
const SCHEMA_VERSION = 1;

const DEFAULT_OPEN_TIMEOUT = 10_000;

export interface IndexedDbStoreOptions {
  /** The database's name; default `ch-channels`. */
  readonly database?: string;
  /** The object store's name in it; default `records`. One database holds one store's records. */
  readonly objectStore?: string;
  /** Milliseconds the database may take to open before a use fails with a `store` error; default 10 000. */
  readonly openTimeout?: number;
}

export class IndexedDbStore implements ChannelStore {
  readonly database: string;
  readonly objectStore: string;
  readonly openTimeout: number;
  readonly #factory: IdbFactory;
  #connection: Promise<IdbDatabase> | undefined;

  /** Throws a `ChannelError` of kind `store` where there is no global `indexedDB` (Node, unless polyfilled). */
  constructor(options: IndexedDbStoreOptions = {}) {
    this.database = options.database ?? 'ch-channels';
    this.objectStore = options.objectStore ?? 'records';
    this.openTimeout = options.openTimeout ?? DEFAULT_OPEN_TIMEOUT;
    const factory = globalIndexedDb();
    if (factory === undefined) throw new StoreError(StoreErrorCode.IO, 'this runtime has no IndexedDB: pass a `store` that keeps records durably');
    this.#factory = factory;
  }

  async load(channelId: Encoded<'ch'>, role?: Role): Promise<ChannelRecord | undefined> {
    if (role === undefined) return onlyRecord(channelId, await Promise.all(ROLES.map((r) => this.load(channelId, r))));
    const db = await this.#open();
    const value = await new Promise<unknown>((resolve, reject) => {
      const fail = (cause: unknown) => reject(new StoreError(StoreErrorCode.IO, `cannot read the record of ${channelId}`, { cause }));
      try {
        const request = db.transaction(this.objectStore, 'readonly').objectStore(this.objectStore).get(`${channelId}/${role}`);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => fail(request.error);
      } catch (e) {
        fail(e);
      }
    });
    return value === undefined ? undefined : unwrapRecord(value, channelId, role);
  }

  async save(record: ChannelRecord): Promise<void> {
    const db = await this.#open();
    await new Promise<void>((resolve, reject) => {
      const fail = (cause: unknown) => reject(new StoreError(StoreErrorCode.IO, `cannot save the record of ${record.channelId}`, { cause }));
      try {
        const tx = db.transaction(this.objectStore, 'readwrite', { durability: 'strict' });
        tx.oncomplete = () => resolve();
        // A failed put (the quota) aborts the transaction, as does the browser (storage cleared).
        tx.onabort = () => fail(tx.error);
        tx.objectStore(this.objectStore).put(wrapRecord(record), `${record.channelId}/${record.role}`);
      } catch (e) {
        // Thrown at once: a value structured clone refuses, a key that is not one, a closing database.
        fail(e);
      }
    });
  }

  /** One connection per store, opened on first use; dropped when it closes, so the next use reopens. */
  #open(): Promise<IdbDatabase> {
    if (this.#connection) return this.#connection;
    const connection = openDatabase(this.#factory, this.database, this.objectStore, this.openTimeout).then((db) => {
      // Another tab wants a newer schema, or the browser closed the database (storage cleared).
      db.onversionchange = db.onclose = () => {
        db.close();
        if (this.#connection === connection) this.#connection = undefined;
      };
      return db;
    });
    this.#connection = connection;
    connection.catch(() => {
      if (this.#connection === connection) this.#connection = undefined;
    });
    return connection;
  }
}

function openDatabase(factory: IdbFactory, name: string, objectStore: string, timeout: number): Promise<IdbDatabase> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (reason: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new StoreError(StoreErrorCode.IO, `IndexedDB database ${name}: ${reason}`, { cause }));
    };
    const timer = setTimeout(() => fail(`did not open within ${timeout} ms`), timeout);
    let request: IdbOpenRequest;
    try {
      request = factory.open(name, SCHEMA_VERSION);
    } catch (e) {
      fail('cannot be opened', e);
      return;
    }
    // Version 1 from nothing; later versions will migrate from the old version here. A throw in
    // an event handler would be the page's uncaught error: abort the upgrade and reject instead.
    request.onupgradeneeded = () => {
      try {
        request.result.createObjectStore(objectStore);
      } catch (e) {
        fail('cannot be upgraded', e);
        request.transaction?.abort();
      }
    };
    request.onsuccess = () => {
      const db = request.result;
      // Too late (the deadline passed, the upgrade failed): nobody holds this connection.
      if (settled) db.close();
      else if (!db.objectStoreNames.contains(objectStore)) {
        db.close();
        fail(`has no object store ${objectStore} (it was created for another one: give each its own database)`);
      } else {
        settled = true;
        clearTimeout(timer);
        resolve(db);
      }
    };
    // A newer version (VersionError), a refused permission, a full disk, an aborted upgrade.
    request.onerror = () => fail('cannot be opened', request.error);
    // An upgrade waits for other tabs to close an older version; rather than hang, say so.
    request.onblocked = () => fail('is held open at an older version by another tab: close it and try again');
  });
}
