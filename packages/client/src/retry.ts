/**
 * An optional retry of updates that lost a race (conflict code 2): bounded attempts, each after a
 * random delay below an exponentially growing cap ("full jitter"), so two clients that collided do
 * not collide again in lockstep. Off unless a policy is given.
 */
import { ConflictCode, DataCode } from '@ch/rpc';
import { ConflictError, RpcRequestError } from './errors.js';

export interface RetryPolicy {
  /** Tries after the first; 0 disables retrying. */
  readonly attempts: number;
  /** Cap of the first delay (default 20 ms); doubles each attempt. */
  readonly baseDelayMs?: number;
  /** Largest delay (default 1000 ms). */
  readonly maxDelayMs?: number;
  /** Which failures to retry; by default races only (see `isRace`), never a refusal. */
  readonly retryOn?: (error: unknown) => boolean;
}

/**
 * An update that lost a race: a conflict with code 2, or (nodes since late 2019) a proposal the
 * node refused outright with data code 107 because one of the peer's was being signed.
 */
export function isRace(error: unknown): boolean {
  if (error instanceof RpcRequestError) return error.hasDataCode(DataCode.CONFLICT);
  return error instanceof ConflictError && error.code === ConflictCode.CONFLICT && !error.aborted;
}

/** How the delays grow: also the shape of reconnect attempts (`ReconnectPolicy`). */
export type Backoff = Pick<RetryPolicy, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;

/** The delay before retry number `attempt` (0-based). */
export function retryDelay(policy: Backoff, attempt: number, random: () => number = Math.random): number {
  const base = policy.baseDelayMs ?? 20;
  const cap = Math.min(policy.maxDelayMs ?? 1000, base * 2 ** attempt);
  return Math.floor(random() * cap);
}

/** Runs `operation`, retrying as `policy` allows. */
export async function withRetry<T>(policy: RetryPolicy | undefined, operation: () => Promise<T>): Promise<T> {
  const retryOn = policy?.retryOn ?? isRace;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (policy === undefined || attempt >= policy.attempts || !retryOn(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, retryDelay(policy, attempt)));
    }
  }
}
