/**
 * The records whose lock a Node store instance holds: it writes those only. A save of a record it
 * never locked, or after the lock's release, is a `locked` StoreError, not an unlocked write over
 * what another instance may hold by now. Saves admitted before a release finish before the lock
 * file goes.
 */
import type { Encoded } from '@ch/codec';
import { StoreError, StoreErrorCode } from '../errors.js';
import type { Role } from '../signer.js';
import type { FileLock } from './file-lock.js';
import type { RecordLock } from './store.js';

export class HeldLocks {
  /** By record, the saves admitted and not yet settled. */
  readonly #held = new Map<string, Set<Promise<unknown>>>();

  /** Holds `lock` for the record until its release, which first waits for admitted saves, then `closing`. */
  hold(channelId: Encoded<'ch'>, role: Role, lock: FileLock, closing: () => Promise<void>): RecordLock {
    const key = `${channelId}/${role}`;
    const saves = new Set<Promise<unknown>>();
    this.#held.set(key, saves);
    let released: Promise<void> | undefined;
    return {
      release: () => {
        if (released) return released;
        if (this.#held.get(key) === saves) this.#held.delete(key);
        const drained = Promise.allSettled(saves).then(closing);
        released = lock.release(drained).then(() => drained);
        return released;
      },
    };
  }

  /** Runs `write` if the record's lock is held, counted as admitted until it settles; a `locked` StoreError otherwise. */
  save<T>(channelId: Encoded<'ch'>, role: Role, write: () => Promise<T>): Promise<T> {
    const saves = this.#held.get(`${channelId}/${role}`);
    if (saves === undefined) {
      return Promise.reject(new StoreError(StoreErrorCode.LOCKED, `this store does not hold the lock of the ${role}'s record of ${channelId} (never taken, or released): lock it before saving`));
    }
    const run = write();
    saves.add(run);
    void run.then(
      () => saves.delete(run),
      () => saves.delete(run),
    );
    return run;
  }
}
