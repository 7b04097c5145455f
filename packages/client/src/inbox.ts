/**
 * The node's reports, handled one at a time in arrival order, and the signer's answers as they
 * come, in turn with them. The node orders its reports and conflicts are attributed by that order
 * (signing-round.ts), so a handler that waits for the store holds back the reports behind it; the
 * signer never does (signing.ts), and replies to requests never wait here.
 */
export type Task = () => Promise<void> | void;

export class SerialInbox {
  readonly #tasks: Task[] = [];
  #draining = false;
  readonly #onError: (error: unknown) => void;
  readonly #onIdle: () => void;

  /** `onError` gets what a task throws (the next task still runs); `onIdle` runs when the inbox empties. */
  constructor(onError: (error: unknown) => void, onIdle: () => void) {
    this.#onError = onError;
    this.#onIdle = onIdle;
  }

  /** A task is running or waiting. */
  get busy(): boolean {
    return this.#draining || this.#tasks.length > 0;
  }

  enqueue(task: Task): void {
    this.#tasks.push(task);
    if (!this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    for (let task = this.#tasks.shift(); task !== undefined; task = this.#tasks.shift()) {
      try {
        await task();
      } catch (e) {
        this.#onError(e);
      }
    }
    this.#draining = false;
    this.#onIdle();
  }
}
