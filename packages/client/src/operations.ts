/**
 * This client's own operations (updates, deposits, closes…): queued, started one at a time, each
 * settled exactly once, by its outcome or by its deadline. The deadline runs from the call, so a
 * caller waits at most the configured time whatever the node does.
 */
import type { Completion, SignRequestMethod } from '@ch/rpc';
import type { Encoded } from '@ch/codec';
import { sameTransaction, type Expectation } from './checks.js';
import { ChannelError, ChannelErrorKind, TimeoutError } from './errors.js';

export type OperationPhase = 'queued' | 'requested' | 'signed' | 'settled';

/**
 * How an operation ends well is the protocol catalogue's `Completion`: a new co-signed round, or its
 * tx reported on chain. `released`: the node takes new operations once the tx is signed (it posts
 * it and is open again), so the operation stops holding the queue then and only waits for the chain.
 */
export type { Completion };

export interface OperationSpec {
  /** For messages: `transfer`, `deposit`, … */
  readonly label: string;
  /** Sends the request that starts it; `onResult` gets the sequence number of the node's "ok". */
  readonly start: (onResult: (seq: number) => void) => Promise<unknown>;
  /** The sign request the node answers the request with. */
  readonly signMethod: SignRequestMethod;
  readonly expectation: Expectation;
  readonly completion: Completion;
  /** May start while the peer's request waits for our signer: the node's conflict then ends both. */
  readonly supersede?: boolean;
}

export interface Operation extends OperationSpec {
  phase: OperationPhase;
  /** Sequence number of the node's "ok" to the starting request, once received. */
  okSeq?: number;
  /** Times it was started and went down with the socket, never signed. */
  requeues?: number;
}

/**
 * Starts of one operation that a lost socket may undo before it fails: a node that drops every
 * socket once the operation is asked would otherwise have it started again without end.
 */
export const REQUEUE_LIMIT = 3;

interface Entry {
  readonly op: Operation;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: ChannelError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export class OperationQueue {
  readonly #entries = new Map<Operation, Entry>();
  readonly #waiting: Operation[] = [];
  #current: Operation | undefined;
  /** Released operations, each waiting for the tx it signed to be reported on chain. */
  readonly #onChain = new Map<Operation, Encoded<'tx'>>();
  readonly #onSettled: () => void;

  /** `onSettled` runs after each settlement, e.g. to start the next operation. */
  constructor(onSettled: () => void = () => undefined) {
    this.#onSettled = onSettled;
  }

  /** The started operation not yet settled, if any. */
  get current(): Operation | undefined {
    return this.#current;
  }

  /** The operation `takeNext` would take. */
  get next(): Operation | undefined {
    return this.#current ? undefined : this.#waiting[0];
  }

  add<T>(spec: OperationSpec, timeoutMs: number): Promise<T> {
    const op: Operation = { ...spec, phase: 'queued' };
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(op, { error: new TimeoutError(spec.label, timeoutMs) }), timeoutMs);
      this.#entries.set(op, { op, resolve: resolve as (value: unknown) => void, reject, timer });
      this.#waiting.push(op);
    });
  }

  /** The next queued operation, now current; undefined if one is current already or none waits. */
  takeNext(): Operation | undefined {
    if (this.#current) return undefined;
    const op = this.#waiting.shift();
    if (op === undefined) return undefined;
    op.phase = 'requested';
    this.#current = op;
    return op;
  }

  /**
   * `op`, started but never signed, goes back to the head of the queue (its deadline still runs
   * from the call); after `REQUEUE_LIMIT` times it fails instead.
   */
  requeue(op: Operation): void {
    if (this.#current !== op || !this.#entries.has(op)) return;
    const requeues = (op.requeues ?? 0) + 1;
    if (requeues > REQUEUE_LIMIT) {
      const error = new ChannelError(ChannelErrorKind.DISCONNECTED, `${op.label}: the connection was lost each of the ${REQUEUE_LIMIT + 1} times it was started; it was never signed`);
      return this.settle(op, { error });
    }
    this.#current = undefined;
    op.phase = 'queued';
    op.requeues = requeues;
    delete op.okSeq;
    this.#waiting.unshift(op);
  }

  /**
   * `op` signed `tx` and now only waits for it on chain, while the node takes new operations (a
   * snapshot: the node posts it and is open again at once): the next operation may start.
   */
  release(op: Operation, tx: Encoded<'tx'>): void {
    if (this.#current === op) this.#current = undefined;
    this.#onChain.set(op, tx);
  }

  /** The released operation that signed `tx`, if any. */
  releasedWith(tx: Encoded<'tx'>): Operation | undefined {
    for (const [op, signed] of this.#onChain) if (sameTransaction(signed, tx)) return op;
    return undefined;
  }

  /** Settles `op` once; later outcomes for it are ignored. */
  settle(op: Operation, outcome: { value: unknown } | { error: ChannelError }): void {
    const entry = this.#entries.get(op);
    if (!entry) return;
    this.#entries.delete(op);
    clearTimeout(entry.timer);
    op.phase = 'settled';
    if (this.#current === op) this.#current = undefined;
    this.#onChain.delete(op);
    const waiting = this.#waiting.indexOf(op);
    if (waiting >= 0) this.#waiting.splice(waiting, 1);
    if ('error' in outcome) entry.reject(outcome.error);
    else entry.resolve(outcome.value);
    this.#onSettled();
  }

  failAll(error: ChannelError): void {
    for (const op of [...this.#entries.keys()]) this.settle(op, { error });
  }
}
