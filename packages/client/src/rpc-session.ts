/**
 * JSON-RPC over the channel socket: requests matched to replies by id, every request bounded by a
 * client-side timeout, every pending request settled with a typed error when the socket closes.
 *
 * Ids are `bigint`s counting up from -2^59, as the node's own test clients number them; they go out
 * and come back exactly (lossless JSON), and are matched as decimal strings so a reply whose id
 * came back as a small number still finds its request. Every frame received gets a sequence
 * number, so the channel can tell in which order a reply and a notification arrived.
 */
import {
  isNodeErrorReply,
  isNodeNotification,
  parseMessage,
  readResult,
  request as buildRequest,
  stringifyMessage,
  type ClientMessage,
  type ClientMethod,
  type JsonValue,
  type NodeErrorReply,
  type NodeNotification,
  type ParamsOf,
  type ResultOf,
  type RpcError,
} from '@ch/rpc';
import { ChannelError, ChannelErrorKind, RpcRequestError, TimeoutError } from './errors.js';

export interface RpcSessionHandlers {
  /** A notification, with its frame's sequence number. */
  onNotification(message: NodeNotification, seq: number): void;
  /** A frame that is not a valid node message, or a reply nobody waits for. */
  onInvalid(error: ChannelError, raw: RpcError | undefined, seq: number): void;
}

export interface RequestOptions {
  readonly timeoutMs: number;
  /** Called with the sequence number of a successful reply as it arrives, before any later frame is read. */
  readonly onResult?: (seq: number) => void;
}

interface Pending {
  readonly method: ClientMethod;
  readonly onResult: ((seq: number) => void) | undefined;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: ChannelError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

const FIRST_ID = -(2n ** 59n);

export class RpcSession {
  readonly #send: (text: string) => void;
  readonly #handlers: RpcSessionHandlers;
  readonly #pending = new Map<string, Pending>();
  #nextId = FIRST_ID;
  #seq = 0;
  #closedWith: ChannelError | undefined;

  constructor(send: (text: string) => void, handlers: RpcSessionHandlers) {
    this.#send = send;
    this.#handlers = handlers;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Sends `method` with an id and resolves with the node's typed result; rejects with a `ChannelError`. */
  request<M extends ClientMethod>(method: M, params: ParamsOf<M>, { timeoutMs, onResult }: RequestOptions): Promise<ResultOf<M>> {
    if (this.#closedWith) return Promise.reject(this.#closedWith);
    const id = this.#nextId++;
    const key = String(id);
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(key);
        reject(new TimeoutError(method, timeoutMs));
      }, timeoutMs);
      this.#pending.set(key, { method, onResult, resolve: resolve as (result: unknown) => void, reject, timer });
      this.#send(stringifyMessage(buildRequest(method, params, id) as ClientMessage));
    });
  }

  /** One text frame from the node. */
  receive(text: string): void {
    const seq = ++this.#seq;
    const parsed = parseMessage(text, 'fromNode');
    if (!parsed.ok) {
      this.#handlers.onInvalid(new ChannelError(ChannelErrorKind.PROTOCOL, `invalid message from the node: ${parsed.error.message}`, { cause: parsed.error }), parsed.error, seq);
      return;
    }
    const message = parsed.message;
    if (isNodeNotification(message)) return this.#handlers.onNotification(message, seq);
    const key = isNodeErrorReply(message) && message.id === null ? requestIdOf(message) : String(message.id);
    const pending = key === undefined ? undefined : this.#pending.get(key);
    if (!pending || key === undefined) {
      // An error to no call (`id: null`, no call echoed) is the node refusing the connection itself (1011 "Participant not found").
      if (key === undefined && isNodeErrorReply(message)) return this.#handlers.onInvalid(new RpcRequestError('connecting', message.error), undefined, seq);
      const what = isNodeErrorReply(message) ? `error reply ${message.error.code} ${message.error.message}` : 'reply';
      this.#handlers.onInvalid(new ChannelError(ChannelErrorKind.PROTOCOL, `${what} to no pending request (id ${String(message.id)})`), undefined, seq);
      return;
    }
    this.#pending.delete(key);
    clearTimeout(pending.timer);
    if (isNodeErrorReply(message)) return pending.reject(new RpcRequestError(pending.method, message.error));
    const read = readResult(pending.method, message);
    if (!read.ok) return pending.reject(new ChannelError(ChannelErrorKind.PROTOCOL, `${pending.method}: ${read.error.message}`, { cause: read.error }));
    pending.onResult?.(seq);
    pending.resolve(read.result);
  }

  /** Takes requests again after `close`, for a new socket (replies to the old one's requests never come). */
  reopen(): void {
    this.#closedWith = undefined;
  }

  /** Rejects every pending request with `error`, and every later one (until `reopen`). */
  close(error: ChannelError): void {
    this.#closedWith ??= error;
    for (const [key, pending] of this.#pending) {
      this.#pending.delete(key);
      clearTimeout(pending.timer);
      pending.reject(error);
    }
  }
}

/** Error replies to a call the node could not take an id from carry `id: null`, but echo the call. */
function requestIdOf(reply: NodeErrorReply): string | undefined {
  const request = reply.error.request as { [key: string]: JsonValue } | undefined;
  const id = typeof request === 'object' && request !== null && !Array.isArray(request) ? request.id : undefined;
  return typeof id === 'bigint' || typeof id === 'number' || typeof id === 'string' ? String(id) : undefined;
}
