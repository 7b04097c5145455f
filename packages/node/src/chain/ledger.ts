/** Accounts and channels at one point of the chain. */
import type { Encoded } from '@ch/codec';
import type { ChannelObject } from './channels.js';

export interface AccountState {
  readonly balance: bigint;
  /** The nonce of the account's last tx; its next tx takes nonce + 1. */
  readonly nonce: bigint;
}

/**
 * Values are never changed in place, only replaced. A fork reads through to the ledger it came
 * from and keeps its own changes: a tx is applied to a fork, which is dropped if any check fails
 * or committed (its changes written back) if all pass, so a tx costs what it changes, not a copy
 * of every account and channel.
 */
export class Ledger {
  readonly #base: Ledger | undefined;
  readonly #accounts: Map<Encoded<'ak'>, AccountState>;
  /** In a fork, `undefined` marks a channel deleted here but present in the base. */
  readonly #channels: Map<Encoded<'ch'>, ChannelObject | undefined>;

  constructor(accounts: Iterable<readonly [Encoded<'ak'>, AccountState]> = [], channels: Iterable<readonly [Encoded<'ch'>, ChannelObject]> = [], base?: Ledger) {
    this.#accounts = new Map(accounts);
    this.#channels = new Map(channels);
    this.#base = base;
  }

  fork(): Ledger {
    return new Ledger([], [], this);
  }

  /** Writes this fork's changes into the ledger it was forked from. */
  commit(): void {
    const base = this.#base;
    if (base === undefined) throw new Error('only a fork can be committed');
    for (const [id, account] of this.#accounts) base.setAccount(id, account);
    for (const [id, channel] of this.#channels) {
      if (channel === undefined) base.deleteChannel(id);
      else base.setChannel(id, channel);
    }
    this.#accounts.clear();
    this.#channels.clear();
  }

  account(id: Encoded<'ak'>): AccountState | undefined {
    return this.#accounts.get(id) ?? this.#base?.account(id);
  }

  setAccount(id: Encoded<'ak'>, account: AccountState): void {
    this.#accounts.set(id, account);
  }

  channel(id: Encoded<'ch'>): ChannelObject | undefined {
    if (this.#channels.has(id)) return this.#channels.get(id);
    return this.#base?.channel(id);
  }

  setChannel(id: Encoded<'ch'>, channel: ChannelObject): void {
    this.#channels.set(id, channel);
  }

  /** Closed channels leave the channels tree (aeprimop `delete_x(channel, …)`). */
  deleteChannel(id: Encoded<'ch'>): void {
    if (this.#base === undefined) this.#channels.delete(id);
    else this.#channels.set(id, undefined);
  }
}
