/** A token bucket: `burst` at once, refilled at `perSecond`; a take may overdraw it. */
export class TokenBucket {
  #tokens: number;
  #at = performance.now();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
  ) {
    this.#tokens = burst;
  }

  /** Takes `n` tokens: the milliseconds until the bucket is out of debt again (0 if it is not in debt). */
  take(n = 1): number {
    const now = performance.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) * this.perSecond) / 1000) - n;
    this.#at = now;
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / this.perSecond;
  }
}
