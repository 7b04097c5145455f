/**
 * A small typed event emitter. Unlike Node's EventEmitter, an `error` event nobody listens to is
 * simply dropped, and a listener that throws never reaches the code that emitted: its error goes
 * to `onListenerError`. Emitting can therefore never crash the client or the process.
 */
export type EventMap = { [event: string]: readonly unknown[] };
export type Listener<A extends readonly unknown[]> = (...args: A) => void;

export class Emitter<E extends EventMap> {
  readonly #listeners = new Map<keyof E, Set<Listener<never>>>();
  readonly #onListenerError: (error: unknown, event: keyof E) => void;

  constructor(onListenerError: (error: unknown, event: keyof E) => void = () => undefined) {
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener; the returned function removes it. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const off = this.on(event, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    this.#listeners.get(event)?.delete(listener as Listener<never>);
  }

  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<E[K]>)(...args);
      } catch (error) {
        try {
          this.#onListenerError(error, event);
        } catch {
          // The error handler itself failed: nothing sensible is left to tell.
        }
      }
    }
  }
}
