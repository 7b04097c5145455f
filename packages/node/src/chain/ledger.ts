/** Accounts and channels at one point of the chain. */
import type { Encoded } from '@ch/codec';
import type { ChannelObject } from './channels.js';

export interface AccountState {
  readonly balance: bigint;
  /** The nonce of the account's last tx; its next tx takes nonce + 1. */
  readonly nonce: bigint;
}

/**
 * Values are never changed in place, only replaced, so a fork costs one copy of each map: a tx is
 * applied to a fork, which is dropped whole if any check fails and the chain stays as it was.
 */
export class Ledger {
  readonly #accounts: Map<Encoded<'ak'>, AccountState>;
  readonly #channels: Map<Encoded<'ch'>, ChannelObject>;

  constructor(accounts: Iterable<readonly [Encoded<'ak'>, AccountState]> = [], channels: Iterable<readonly [Encoded<'ch'>, ChannelObject]> = []) {
    this.#accounts = new Map(accounts);
    this.#channels = new Map(channels);
  }

  fork(): Ledger {
    return new Ledger(this.#accounts, this.#channels);
  }

  account(id: Encoded<'ak'>): AccountState | undefined {
    return this.#accounts.get(id);
  }

  setAccount(id: Encoded<'ak'>, account: AccountState): void {
    this.#accounts.set(id, account);
  }

  channel(id: Encoded<'ch'>): ChannelObject | undefined {
    return this.#channels.get(id);
  }

  setChannel(id: Encoded<'ch'>, channel: ChannelObject): void {
    this.#channels.set(id, channel);
  }

  /** Closed channels leave the channels tree (aeprimop `delete_x(channel, …)`). */
  deleteChannel(id: Encoded<'ch'>): void {
    this.#channels.delete(id);
  }
}
