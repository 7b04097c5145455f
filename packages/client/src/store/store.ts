/**
 * Where a channel's co-signed states live. The client saves a state before it sends the signature
 * that completes it, and again when the node confirms it, so after a crash at any instant the
 * store holds the newest state both parties may hold: the single source of truth to reestablish
 * the channel from (`Channel.reestablish`).
 */
import type { Encoded } from '@ch/codec';
import type { ChannelTerms } from '../checks.js';
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

export interface ChannelStore {
  load(channelId: Encoded<'ch'>): Promise<ChannelRecord | undefined>;
  /** Must not resolve before the record is durable: the client signs only after it does. */
  save(record: ChannelRecord): Promise<void>;
}

/**
 * Keeps records in memory. A record is stored as it is given, not copied: `save` freezes it (deeply)
 * instead, so neither the caller nor whoever loads it can change what is stored; records are
 * readonly values that the client builds afresh for every save.
 */
export class MemoryStore implements ChannelStore {
  readonly #records = new Map<string, ChannelRecord>();

  async load(channelId: Encoded<'ch'>): Promise<ChannelRecord | undefined> {
    return this.#records.get(channelId);
  }

  async save(record: ChannelRecord): Promise<void> {
    this.#records.set(record.channelId, deepFreeze(record));
  }
}

/** Freezes a record's plain data (objects, arrays) throughout. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
