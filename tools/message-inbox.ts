/**
 * What a test's WebSocket peer has received, in order, with a cursor: `next(match)` waits for the
 * next message (after those already taken) that matches, failing on close or after `ms`.
 */
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
    const deadline = Date.now() + ms;
    for (;;) {
      while (this.#cursor < this.received.length) {
        const m = this.received[this.#cursor++]!;
        if (match(m)) return m;
      }
      if (this.closed) throw new Error('the socket closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) {
        const recent = JSON.stringify(this.received.slice(-5), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
        throw new Error(`no matching message within ${ms} ms; last received: ${recent}`);
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
