/**
 * The channel's co-signed states: the last one the node confirmed, the newer one we signed and
 * sent until the node confirms it or falls back, and their record in the store. A state is adopted
 * only once both participants' signatures check and its balances are known.
 */
import type { Encoded } from '@ch/codec';
import type { OffChainState as NodeOffChainState } from '@ch/rpc';
import { sameTransaction, signedBy, type ChannelTerms, type CoSignedState, type Verified } from './checks.js';
import { ChannelError, ChannelErrorKind } from './errors.js';
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
  /** The channel ended: its lock is released, and is not taken again. */
  #ended = false;

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

  /** Records the latest state, and `pending` (a state we are about to sign or just signed) if given. */
  async save(pending?: CoSignedState): Promise<void> {
    const channelId = this.#host.channelId();
    const state = this.#latest ?? pending;
    if (channelId !== undefined && state !== undefined) {
      const { role, networkId, terms } = this.#host;
      if (this.#lock === undefined && !this.#ended) this.#lock = Promise.resolve(this.#host.store.lock?.(channelId, role));
      await this.#lock;
      await this.#host.store.save(recordOf({ channelId, role, networkId, terms, fsmId: this.#host.fsmId(), state, pending }));
    }
    this.#pending = pending;
  }

  /** The channel ended (disconnected, left, closed): another instance may take the record now. */
  async release(): Promise<void> {
    this.#ended = true;
    const lock = await this.#lock?.catch(() => undefined);
    this.#lock = undefined;
    await lock?.release();
  }

  /** Saves where a failure only needs reporting: no signature waits on it. */
  async saveOrReport(pending: CoSignedState | undefined): Promise<void> {
    try {
      await this.save(pending);
    } catch (e) {
      this.#host.report(e as ChannelError);
    }
  }

  /** The node fell back: what we signed in the round is not a state to resume from. */
  async dropPending(): Promise<void> {
    if (this.#pending !== undefined) await this.saveOrReport(undefined);
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
