/**
 * Automatic reconnect: after the socket of an open channel closes unasked, the client opens a new
 * one from its store, each attempt after a full-jitter backoff (retry.ts `retryDelay`), until the
 * node reports the channel open again or the attempts are spent. A clean `disconnect()` or
 * `leave()` never reconnects; what becomes of the round the lost socket left open is the core's
 * (core/step.ts `resume`).
 */
import { ChannelError, ChannelErrorKind, isChannelError } from './errors.js';
import { retryDelay, type Backoff } from './retry.js';
import type { Transport } from './transport.js';

/** Attempts after the socket was lost (0 ends the channel at the first loss); delays as for `RetryPolicy`. */
export type ReconnectPolicy = Backoff;

/** Ten attempts, the first within 100 ms, each at most 5 s after the last failed: at most about 26 s of waiting in all. */
export const DEFAULT_RECONNECT: Required<ReconnectPolicy> = { attempts: 10, baseDelayMs: 100, maxDelayMs: 5000 };

/** The policy as given (`false` turns reconnecting off), completed with the defaults. */
export function reconnectPolicy(given: Partial<ReconnectPolicy> | false | undefined): Required<ReconnectPolicy> | false {
  return given === false ? false : { ...DEFAULT_RECONNECT, ...given };
}

/** What the `reconnecting` event tells: the attempt (from 1), the delay before it, and why the last socket or attempt failed. */
export interface ReconnectAttempt {
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: ChannelError;
}

export interface ReconnectHooks {
  /** Opens the new socket (the shell wires it to the channel); rejects if it does not open. */
  dial(): Promise<Transport>;
  attempt(attempt: ReconnectAttempt): void;
  /** The channel ended meanwhile (`disconnect()`): no more attempts. */
  gone(): boolean;
  gaveUp(error: ChannelError): void;
}

export class Reconnects {
  readonly #policy: Required<ReconnectPolicy>;
  readonly #hooks: ReconnectHooks;
  /** How long a new socket may take to have the channel open before it counts as lost too. */
  readonly #openTimeoutMs: number;
  /** Attempts since the channel was last open: a socket that opens and is lost again before that counts on. */
  #attempts = 0;
  #dialling = false;
  #watch: ReturnType<typeof setTimeout> | undefined;

  constructor(policy: Required<ReconnectPolicy>, openTimeoutMs: number, hooks: ReconnectHooks) {
    this.#policy = policy;
    this.#openTimeoutMs = openTimeoutMs;
    this.#hooks = hooks;
  }

  /** After a lost socket: waits, dials, and tries again while a dial fails and attempts are left. */
  async start(error: ChannelError): Promise<void> {
    clearTimeout(this.#watch);
    if (this.#dialling) return;
    this.#dialling = true;
    try {
      for (;;) {
        if (this.#attempts >= this.#policy.attempts) {
          return this.#hooks.gaveUp(new ChannelError(ChannelErrorKind.DISCONNECTED, `gave up reconnecting after ${this.#attempts} attempts: ${error.message}`, { cause: error }));
        }
        const delayMs = retryDelay(this.#policy, this.#attempts++);
        this.#hooks.attempt({ attempt: this.#attempts, delayMs, error });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (this.#hooks.gone()) return;
        try {
          const transport = await this.#hooks.dial();
          this.#watch = setTimeout(() => transport.close(), this.#openTimeoutMs);
          return;
        } catch (e) {
          error = isChannelError(e) ? e : new ChannelError(ChannelErrorKind.DISCONNECTED, `could not reconnect: ${(e as Error).message}`, { cause: e });
        }
      }
    } finally {
      this.#dialling = false;
    }
  }

  /**
   * The channel is open again, the node's state checked (core/state.ts `unchecked`): how many
   * attempts it took (0 if none were made); the next loss counts afresh.
   */
  done(): number {
    clearTimeout(this.#watch);
    const attempts = this.#attempts;
    this.#attempts = 0;
    return attempts;
  }
}
