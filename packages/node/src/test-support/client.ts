/**
 * A raw JSON-RPC client for tests: a `ws` socket that records every message the node sends and
 * lets a test wait for the next one matching a predicate, in order. No SDK, no mocks.
 */
import { signTx, type Encoded, type KeyPair } from '@ch/codec';
import { parseJson, stringifyJson, type JsonValue } from '@ch/rpc';
import WebSocket from 'ws';
import { MessageInbox } from '../../../../tools/message-inbox.js';

export type Json = { [key: string]: JsonValue };

export class TestClient {
  readonly #inbox = new MessageInbox<Json>();
  #nextId = -576460752303423488n;

  private constructor(
    readonly ws: WebSocket,
    readonly key: KeyPair,
    readonly networkId: string,
  ) {
    ws.on('message', (data) => this.#inbox.push(parseJson(data.toString()) as Json));
    ws.on('close', () => this.#inbox.close());
  }

  get received(): readonly Json[] {
    return this.#inbox.received;
  }

  get closed(): boolean {
    return this.#inbox.closed;
  }

  static async connect(url: string, query: Record<string, string>, key: KeyPair, networkId: string): Promise<TestClient> {
    const ws = new WebSocket(`${url}?${new URLSearchParams(query)}`);
    const client = new TestClient(ws, key, networkId);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(message: Json): void {
    this.ws.send(stringifyJson(message));
  }

  notify(method: string, params: Json): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Sends a request and returns its id. */
  request(method: string, params: Json): bigint {
    const id = this.#nextId++;
    this.send({ id, jsonrpc: '2.0', method, params });
    return id;
  }

  /** The next message (after those already taken) that matches; fails after `ms`. */
  next(match?: (m: Json) => boolean, ms?: number): Promise<Json> {
    return this.#inbox.next(match, ms);
  }

  /** Resolves once `n` messages have arrived in all; fails on close or after `ms`. */
  waitForCount(n: number, ms?: number): Promise<void> {
    return this.#inbox.waitForCount(n, ms);
  }

  /** Resolves once the node has closed the socket; fails after `ms`. */
  waitForClose(ms?: number): Promise<void> {
    return this.#inbox.waitForClose(ms);
  }

  nextMethod(method: string, ms?: number): Promise<Json> {
    return this.next((m) => m.method === method, ms);
  }

  nextReply(id: bigint, ms?: number): Promise<Json> {
    return this.next((m) => m.id === id || m.id === Number(id), ms);
  }

  /** Signs the tx of a `channels.sign.*` request. */
  sign(request: Json): Encoded<'tx'> {
    const data = (request.params as Json).data as Json;
    return signTx(data.signed_tx as Encoded<'tx'>, this.key.secretKey, this.networkId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.ws.close();
    await new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
  }
}

export const event = (m: Json): string | undefined => ((m.params as Json | undefined)?.data as Json | undefined)?.event as string | undefined;
