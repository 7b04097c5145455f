/**
 * The connection between the two FSMs of a channel. Each direction is a queue drained one message
 * per `setImmediate`, so messages arrive in order but never within the sender's own turn: the
 * other FSM can act in between, and the races of the real protocol (two nodes talking over TCP)
 * happen here too.
 */
import type { PeerMessage } from './peer-messages.js';

export interface PeerEndpoint {
  /** Queues `msg` for the other FSM. Messages sent after `close()` are dropped, as on a closed socket. */
  send(msg: PeerMessage): void;
  close(): void;
}

export type PeerReceiver = (msg: PeerMessage) => void;

class Direction {
  readonly #queue: PeerMessage[] = [];
  #scheduled = false;
  #open = true;

  constructor(readonly deliver: PeerReceiver) {}

  push(msg: PeerMessage): void {
    if (!this.#open) return;
    this.#queue.push(msg);
    this.#schedule();
  }

  /** Delivers what is queued, then `last`, and accepts nothing more: a socket closed by the sender. */
  end(last: PeerMessage): void {
    this.push(last);
    this.#open = false;
  }

  /** Drops what is queued: a socket closed by the receiver. */
  close(): void {
    this.#open = false;
    this.#queue.length = 0;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const msg = this.#queue.shift();
      if (msg !== undefined) this.deliver(msg);
      if (this.#queue.length > 0) this.#schedule();
    });
  }
}

/**
 * Connects two receivers; returns the endpoint each side sends with. Closing either endpoint tells
 * the other side `disconnect` (as the noise session's exit does) and stops both directions.
 */
export function connectPeers(a: PeerReceiver, b: PeerReceiver): [PeerEndpoint, PeerEndpoint] {
  const toB = new Direction(b);
  const toA = new Direction(a);
  let closed = false;
  const closeFrom = (towardsOther: Direction, towardsSelf: Direction) => () => {
    if (closed) return;
    closed = true;
    towardsSelf.close();
    towardsOther.end({ type: 'disconnect' });
  };
  return [
    { send: (msg) => toB.push(msg), close: closeFrom(toB, toA) },
    { send: (msg) => toA.push(msg), close: closeFrom(toA, toB) },
  ];
}
