/**
 * Where a channel's co-signed states live. The client saves a state before it sends the signature
 * that completes it, and again when the node confirms it, so after a crash at any instant the
 * store holds the newest state both parties may hold: the single source of truth to reestablish
 * the channel from (`Channel.reestablish`).
 *
 * A record is one party's: it is keyed by channel id and role, so both parties of a channel may
 * share a store (two in one process). A store may lock a record for the one channel instance that
 * writes it (`lock`): a second instance of the same party would otherwise replace the first's
 * session with the node and write older rounds over its newer ones.
 */
import type { Encoded } from '@ch/codec';
import type { ChannelTerms } from '../checks.js';
import { StoreError, StoreErrorCode } from '../errors.js';
import type { Role } from '../signer.js';

/** A co-signed state as stored: balances keyed by account public key (64 hex digits). */
export interface StoredState {
  readonly round: bigint;
  readonly tx: Encoded<'tx'>;
  readonly balances: readonly (readonly [pubkeyHex: string, balance: bigint])[];
}

export interface ChannelRecord {
  readonly channelId: Encoded<'ch'>;
  readonly role: Role;
  readonly networkId: string;
  readonly terms: ChannelTerms;
  /** The node's FSM id, needed to reestablish with the same node. */
  readonly fsmId?: Encoded<'ba'>;
  /** The last co-signed state the node confirmed. */
  readonly state: StoredState;
  /**
   * A newer state this client signed and sent (its own proposal, or the peer's it co-signed) that
   * the node has not confirmed yet. Cleared when confirmed (it becomes `state`) or when the node
   * falls back.
   */
  readonly pending?: StoredState;
}

/** A record's exclusive lock, held by one channel instance until it ends. */
export interface RecordLock {
  release(): Promise<void>;
}

export interface ChannelStore {
  /**
   * The record of `channelId` kept for `role`; without a role, the channel's one record (a
   * `StoreError` of code `ambiguous` when both roles' are there).
   */
  load(channelId: Encoded<'ch'>, role?: Role): Promise<ChannelRecord | undefined>;
  /**
   * Must not resolve before the record is durable: the client signs only after it does. (A store
   * may leave for later only what the node gives back on reestablishing, as LogStore does.)
   */
  save(record: ChannelRecord): Promise<void>;
  /**
   * Locks the record of `channelId` and `role` for one channel instance; rejects with a
   * `StoreError` of code `locked` while another holds it. Optional: a store without it lets
   * several instances of one party write the same record.
   */
  lock?(channelId: Encoded<'ch'>, role: Role): Promise<RecordLock>;
}

export const ROLES: readonly Role[] = ['initiator', 'responder'];

/** The one record among `found` (a record per role, or undefined), for a load that named no role. */
export function onlyRecord<T>(channelId: Encoded<'ch'>, found: readonly (T | undefined)[]): T | undefined {
  const present = found.filter((r) => r !== undefined);
  if (present.length > 1) throw new StoreError(StoreErrorCode.AMBIGUOUS, `the store holds both roles' records of ${channelId}: name the role to load`);
  return present[0];
}

/**
 * Keeps records in memory. A record is stored as it is given, not copied: `save` freezes it (deeply)
 * instead, so neither the caller nor whoever loads it can change what is stored; records are
 * readonly values that the client builds afresh for every save.
 */
export class MemoryStore implements ChannelStore {
  readonly #records = new Map<string, ChannelRecord>();
  readonly #locked = new Set<string>();

  async load(channelId: Encoded<'ch'>, role?: Role): Promise<ChannelRecord | undefined> {
    if (role !== undefined) return this.#records.get(`${channelId}/${role}`);
    return onlyRecord(channelId, ROLES.map((r) => this.#records.get(`${channelId}/${r}`)));
  }

  async save(record: ChannelRecord): Promise<void> {
    this.#records.set(`${record.channelId}/${record.role}`, deepFreeze(record));
  }

  async lock(channelId: Encoded<'ch'>, role: Role): Promise<RecordLock> {
    const key = `${channelId}/${role}`;
    if (this.#locked.has(key)) throw lockedError(channelId, role);
    this.#locked.add(key);
    let held = true;
    return {
      release: async () => {
        if (held) this.#locked.delete(key);
        held = false;
      },
    };
  }
}

export function lockedError(channelId: Encoded<'ch'>, role: Role, holder = 'another channel instance'): StoreError {
  return new StoreError(StoreErrorCode.LOCKED, `the ${role}'s record of ${channelId} is in use by ${holder}: end it (disconnect, leave) before reestablishing`);
}

/** Freezes a record's plain data (objects, arrays) throughout. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
