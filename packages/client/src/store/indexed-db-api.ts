/** What the client uses of IndexedDB, typed here: the DOM lib is not part of this package's types. */
export interface IdbRequest<T> {
  readonly result: T;
  readonly error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}

export interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  /** The upgrade's transaction while `upgradeneeded` runs. */
  readonly transaction: { abort(): void } | null;
  onupgradeneeded: (() => void) | null;
  onblocked: (() => void) | null;
}

export interface IdbFactory {
  open(name: string, version: number): IdbOpenRequest;
}

export interface IdbDatabase {
  readonly objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string): unknown;
  transaction(store: string, mode: 'readonly' | 'readwrite', options?: { durability: 'strict' }): IdbTransaction;
  close(): void;
  onversionchange: (() => void) | null;
  onclose: (() => void) | null;
}

export interface IdbTransaction {
  readonly error: unknown;
  objectStore(name: string): { get(key: string): IdbRequest<unknown>; put(value: unknown, key: string): unknown };
  oncomplete: (() => void) | null;
  onabort: (() => void) | null;
}

/** The runtime's IndexedDB: browsers have one, Node only when polyfilled. */
export function globalIndexedDb(): IdbFactory | undefined {
  return (globalThis as { indexedDB?: IdbFactory }).indexedDB;
}
