/**
 * What a test's WebSocket peer has received, in order, with a cursor: `next(match)` waits for the
 * next message (after those already taken) that matches; `waitForCount(n)` for the n-th message to
 * have arrived; `waitForClose()` for the socket to close. Every wait sleeps until a message, the
 * close or its deadline, and fails with an `InboxError` on close or at the deadline, so a loop
 * around one can neither spin nor hang.
 */
export class InboxError extends Error {
  override readonly name = 'InboxError';

  constructor(
    /** `closed`: the socket closed first; `timeout`: the deadline passed. */
    readonly reason: 'closed' | 'timeout',
    message: string,
  ) {
    super(message);
  }
}

export class MessageInbox<T> {
  readonly received: T[] = [];
  closed = false;
  #cursor = 0;
  #waiters: (() => void)[] = [];

  push(message: T): void {
    this.received.push(message);
    this.#wakeAll();
  }

  close(): void {
    this.closed = true;
    this.#wakeAll();
  }

  async next(match: (m: T) => boolean = () => true, ms = 5000): Promise<T> {
    let found: T | undefined;
    await this.#until(
      () => {
        while (this.#cursor < this.received.length) {
          const m = this.received[this.#cursor++]!;
          if (match(m)) {
            found = m;
            return true;
          }
        }
        return false;
      },
      ms,
      () => 'a matching message',
    );
    return found!;
  }

  /** Resolves once `n` messages have arrived in all (taken by `next` or not); the cursor stays. */
  waitForCount(n: number, ms = 5000): Promise<void> {
    return this.#until(() => this.received.length >= n, ms, () => `message ${n} (got ${this.received.length})`);
  }

  waitForClose(ms = 5000): Promise<void> {
    return this.#until(() => this.closed, ms, () => 'the close');
  }

  /** Checks `done` now and after every message, until it holds, the socket closes or `ms` pass. */
  async #until(done: () => boolean, ms: number, what: () => string): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (done()) return;
      if (this.closed) throw new InboxError('closed', `the socket closed while waiting for ${what()}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        const recent = JSON.stringify(this.received.slice(-5), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
        throw new InboxError('timeout', `waited ${ms} ms for ${what()} in vain; last received: ${recent}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #wakeAll(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
