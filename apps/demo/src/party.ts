/**
 * One participant: its keys, its store (the record reestablishing starts from) and its signer,
 * which can be told to refuse its next own update with an abort code, as the seed's initiator does.
 */
import { MemoryStore, secretKeySigner, type Channel, type ConflictEvent, type KeyPair, type Role, type Signer } from '@ch/client';

export interface PartyConflict extends ConflictEvent {
  readonly party: Role;
}

export class Party {
  readonly store = new MemoryStore();
  readonly signer: Signer;
  #channel: Channel | undefined;
  /** Set to an abort code: the signer refuses this party's next own update with it. */
  abortNext: number | undefined;

  constructor(
    readonly role: Role,
    readonly key: KeyPair,
    private readonly onConflict: (conflict: PartyConflict) => void,
  ) {
    const own = secretKeySigner(key.secretKey);
    this.signer = {
      sign: (tx, context) => {
        const abort = this.abortNext;
        if (abort === undefined || !context.own) return own.sign(tx, context);
        this.abortNext = undefined;
        return { abort };
      },
    };
  }

  get channel(): Channel {
    if (!this.#channel) throw new Error(`the ${this.role} has no channel yet`);
    return this.#channel;
  }

  /** Adopts a channel (opened or reestablished) and listens to its conflict reports. */
  adopt(channel: Channel): Channel {
    this.#channel = channel;
    channel.on('conflict', (conflict) => this.onConflict({ ...conflict, party: this.role }));
    return channel;
  }

  get opened(): boolean {
    return this.#channel !== undefined;
  }
}
