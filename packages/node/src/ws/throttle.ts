/**
 * A connection's frame and byte rates. A client over a rate is not closed (a burst of honest
 * requests can outrun any rate) but slowed: the node stops reading from its socket, so TCP pushes
 * back on the sender, and frames already read are held and handled one by one as the rates allow.
 * Handling them as they were read would run a whole read (hundreds of frames) at once and stall
 * every other connection on the loop for that long. Held are at most `maxHeld` (twice the burst, at
 * least 1,000): one read of honest requests (the conflict storm's, ~100 bytes each) holds a few
 * hundred, while a read of empty frames would hold ten thousand; `deliver` refuses beyond, and the
 * guard closes the connection.
 */
import type { ConnectionLimits } from './limits.js';
import type { ReadPause } from './pause.js';
import { TokenBucket } from './token-bucket.js';

interface Held {
  readonly bytes: number;
  readonly handle: () => void;
  /** Its tokens are taken (it waits only for the debt its taking made). */
  paid: boolean;
}

export class Throttle {
  readonly #messages: TokenBucket;
  readonly #bytes: TokenBucket;
  readonly #held: Held[] = [];
  readonly maxHeld: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #dropped = false;

  constructor(
    readonly reading: ReadPause,
    limits: ConnectionLimits,
  ) {
    this.#messages = new TokenBucket(limits.messagesPerSecond, limits.messageBurst);
    this.#bytes = new TokenBucket(limits.bytesPerSecond, limits.byteBurst);
    this.maxHeld = Math.max(2 * limits.messageBurst, 1000);
  }

  /** A control frame (ws answers it by itself): it counts, and over a rate reading pauses. */
  count(bytes: number): void {
    const wait = this.#take(bytes);
    if (wait > 0 && this.#timer === undefined) this.#hold(wait);
  }

  /**
   * A data frame of `bytes`: `handle` runs now if the rates allow and nothing is held before it,
   * else later in order; false if that would hold more than `maxHeld` (nothing is held then).
   */
  deliver(bytes: number, handle: () => void): boolean {
    if (this.#dropped) {
      this.count(bytes);
      return true;
    }
    if (this.#held.length > 0 || this.#timer !== undefined) {
      if (this.#held.length >= this.maxHeld) return false;
      this.#held.push({ bytes, handle, paid: false });
      return true;
    }
    const wait = this.#take(bytes);
    if (wait === 0) {
      handle();
      return true;
    }
    this.#held.push({ bytes, handle, paid: true });
    this.#hold(wait);
    return true;
  }

  /** Drops what is held and handles nothing more (the connection is closing), but frames still count and pause reading over a rate. */
  drop(): void {
    this.#dropped = true;
    this.#held.length = 0;
  }

  /** The connection is gone: nothing held, no timer left. */
  stop(): void {
    this.drop();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #take(bytes: number): number {
    return Math.max(this.#messages.take(), this.#bytes.take(bytes));
  }

  #hold(ms: number): void {
    this.reading.hold('rate');
    this.#timer = setTimeout(() => this.#release(), Math.ceil(ms));
  }

  #release(): void {
    this.#timer = undefined;
    for (let next = this.#held[0]; next !== undefined && !this.#dropped; next = this.#held[0]) {
      if (!next.paid) {
        next.paid = true;
        const wait = this.#take(next.bytes);
        if (wait > 0) return this.#hold(wait);
      }
      this.#held.shift();
      next.handle();
    }
    this.reading.release('rate');
  }
}
