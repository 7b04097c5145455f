/** When the chain makes blocks: on the tick after a submit, or on a fixed interval, empty or not. */
export type MiningMode = 'instant' | { readonly intervalMs: number };

export class MiningSchedule {
  readonly #mine: () => void;
  readonly #hasPending: () => boolean;
  readonly #instant: boolean;
  #next: NodeJS.Immediate | undefined;
  #interval: NodeJS.Timeout | undefined;
  #stopped = false;

  /** `hasPending`: whether the mempool holds txs, which instant mode checks as a block may have taken them already. */
  constructor(mode: MiningMode, mine: () => void, hasPending: () => boolean) {
    this.#mine = mine;
    this.#hasPending = hasPending;
    this.#instant = mode === 'instant';
    if (mode !== 'instant') {
      if (!(mode.intervalMs > 0)) throw new RangeError(`mining interval must be positive, got ${mode.intervalMs} ms`);
      // Unref'd: a chain alone must not keep the process alive; a server holding it does.
      this.#interval = setInterval(mine, mode.intervalMs).unref();
    }
  }

  /** A tx entered the mempool. Instant mode mines it on the next tick, with every tx submitted before then. */
  submitted(): void {
    if (!this.#instant || this.#stopped || this.#next !== undefined) return;
    this.#next = setImmediate(() => {
      this.#next = undefined;
      if (this.#hasPending()) this.#mine();
    });
  }

  stop(): void {
    this.#stopped = true;
    clearImmediate(this.#next);
    clearInterval(this.#interval);
  }
}
