/**
 * The channel's co-signed states: the last one the node confirmed, the newer one we signed and
 * sent until the node confirms it or falls back, and their record in the store. A state is adopted
 * only once both participants' signatures check and its balances are known.
 */
import type { Encoded } from '@ch/codec';
import type { OffChainState as NodeOffChainState } from '@ch/rpc';
import { sameTransaction, signedBy, type ChannelTerms, type CoSignedState, type Verified } from './checks.js';
import { ChannelError, ChannelErrorKind, StoreError, StoreErrorCode } from './errors.js';
import { stateFromTrees } from './node-state.js';
import type { Role } from './signer.js';
import { recordOf } from './store/record.js';
import type { ChannelStore, RecordLock } from './store/store.js';

export interface StatesHost {
  readonly role: Role;
  readonly networkId: string;
  readonly terms: ChannelTerms;
  readonly store: ChannelStore;
  /** Undefined until the create tx is known. */
  channelId(): Encoded<'ch'> | undefined;
  fsmId(): Encoded<'ba'> | undefined;
  /** The node's current off-chain state, to learn the balances of a state we did not see coming. */
  nodeState(): Promise<NodeOffChainState>;
  report(error: ChannelError): void;
}

/** A state of the open signing round that the node's report may complete. */
export interface RoundInFlight {
  readonly verified?: Verified;
  readonly next?: CoSignedState;
}

export class CoSignedStates {
  readonly #host: StatesHost;
  #latest: CoSignedState | undefined;
  #pending: CoSignedState | undefined;
  /** The record's lock: given when reestablishing, taken at the first save of a channel opened here. */
  #lock: Promise<RecordLock | undefined> | undefined;
  /** The channel ended: its lock is released (once the writes before are done), nothing is written after. */
  #ended = false;
  /** Writes and the release, one after another: the lock is released only after the last write. */
  #writes: Promise<unknown> = Promise.resolve();

  constructor(host: StatesHost, latest?: CoSignedState, pending?: CoSignedState, lock?: RecordLock) {
    this.#host = host;
    this.#latest = latest;
    this.#pending = pending;
    if (lock) this.#lock = Promise.resolve(lock);
  }

  /** The last co-signed state the node confirmed. */
  get latest(): CoSignedState | undefined {
    return this.#latest;
  }

  /** A newer state we signed and sent, until the node confirms it or falls back. */
  get pending(): CoSignedState | undefined {
    return this.#pending;
  }

  /** What a reestablish names: the pending state once both signed it (it is newer), else the latest. */
  get newest(): CoSignedState | undefined {
    const { networkId, terms } = this.#host;
    const pending = this.#pending;
    return pending && signedBy(pending.tx, networkId, [terms.initiatorId, terms.responderId]) ? pending : this.#latest;
  }

  /**
   * Records the latest state, and `pending` (a state we are about to sign or just signed) if given.
   * After `release` it writes nothing and rejects with a `StoreError` (`locked`): the record may be
   * another instance's by then.
   */
  save(pending?: CoSignedState): Promise<void> {
    const channelId = this.#host.channelId();
    const state = this.#latest ?? pending;
    if (this.#ended) {
      const error = new StoreError(StoreErrorCode.LOCKED, `the channel ended and released its record${channelId ? ` of ${channelId}` : ''}: round ${(pending ?? state)?.round ?? 0n} is not written`);
      return Promise.reject(error);
    }
    if (channelId === undefined || state === undefined) {
      this.#pending = pending;
      return Promise.resolve();
    }
    const { role, networkId, terms } = this.#host;
    this.#lock ??= Promise.resolve(this.#host.store.lock?.(channelId, role));
    const lock = this.#lock;
    const record = recordOf({ channelId, role, networkId, terms, fsmId: this.#host.fsmId(), state, pending });
    const write = this.#writes.then(async () => {
      await lock;
      await this.#host.store.save(record);
      this.#pending = pending;
    });
    this.#writes = write.catch(() => undefined);
    return write;
  }

  /**
   * The channel ended (disconnected, left, closed): once the writes under way are done, another
   * instance may take the record.
   */
  release(): Promise<void> {
    this.#ended = true;
    const lock = this.#lock;
    this.#lock = undefined;
    const released = this.#writes.then(async () => {
      await (await lock?.catch(() => undefined))?.release();
    });
    this.#writes = released.catch(() => undefined);
    return released;
  }

  /** Saves where a failure only needs reporting: no signature waits on it. */
  async saveOrReport(pending: CoSignedState | undefined): Promise<void> {
    try {
      await this.save(pending);
    } catch (e) {
      this.#host.report(e as ChannelError);
    }
  }

  /**
   * The node fell back from the pending state. One signed by us alone is not a state to resume
   * from: it is dropped. One both signed, our signature out (`sent`), is never forgotten, since
   * the peer may take it on chain: it becomes the latest, the state we reestablish from and defend
   * with, and is returned (the node's fallback contradicts it).
   */
  async dropPending(sent: boolean): Promise<CoSignedState | undefined> {
    const pending = this.#pending;
    if (pending === undefined) return undefined;
    const { networkId, terms } = this.#host;
    const latest = this.#latest;
    const keep = sent && (latest === undefined || pending.round > latest.round) && signedBy(pending.tx, networkId, [terms.initiatorId, terms.responderId]);
    if (keep) this.#latest = pending;
    await this.saveOrReport(undefined);
    return keep ? pending : undefined;
  }

  /**
   * Verifies a co-signed tx the node reports and makes it the latest state; `fresh` when it is
   * newer than the latest. Undefined (and an error reported) if it does not check.
   */
  async adopt(tx: Encoded<'tx'>, round: RoundInFlight | undefined, node?: NodeOffChainState): Promise<{ state: CoSignedState; fresh: boolean } | undefined> {
    const { networkId, terms } = this.#host;
    if (!signedBy(tx, networkId, [terms.initiatorId, terms.responderId], round?.verified)) {
      this.#host.report(new ChannelError(ChannelErrorKind.PROTOCOL, 'the node reported a state that is not signed by both participants'));
      return undefined;
    }
    const latest = this.#latest;
    if (latest && sameTransaction(latest.tx, tx)) return { state: latest, fresh: false };
    const known = [round?.next, this.#pending].find((s) => s !== undefined && sameTransaction(s.tx, tx));
    const next = known ? { round: known.round, tx, state: known.state } : await this.#recover(tx, node);
    if (next === undefined) return undefined;
    if (latest && next.round <= latest.round) {
      this.#host.report(new ChannelError(ChannelErrorKind.PROTOCOL, `the node reported round ${next.round}, older than the co-signed round ${latest.round}`));
      return undefined;
    }
    this.#latest = next;
    await this.saveOrReport(undefined);
    return { state: next, fresh: true };
  }

  /**
   * A co-signed state this client did not see coming (after reestablishing from an older record):
   * its balances come from the node's trees, which must hash to the tx's state hash.
   */
  async #recover(tx: Encoded<'tx'>, node?: NodeOffChainState): Promise<CoSignedState | undefined> {
    const fail = (why: string): undefined => {
      this.#host.report(new ChannelError(ChannelErrorKind.PROTOCOL, `cannot adopt the co-signed state the node reported: ${why}`));
      return undefined;
    };
    try {
      node ??= await this.#host.nodeState();
    } catch (e) {
      return fail((e as Error).message);
    }
    if (!sameTransaction(node.signed_tx, tx)) return fail("the node's current state is another one");
    const recovered = stateFromTrees(node);
    return typeof recovered === 'string' ? fail(recovered) : { ...recovered, tx };
  }
}
