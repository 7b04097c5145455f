/**
 * A raw JSON-RPC client for tests: a `ws` socket that records every message the node sends and
 * lets a test wait for the next one matching a predicate, in order. No SDK, no mocks.
 */
import { signTx, type Encoded, type KeyPair } from '@ch/codec';
import { parseJson, stringifyJson, type JsonValue } from '@ch/rpc';
import WebSocket from 'ws';

export type Json = { [key: string]: JsonValue };

export class TestClient {
  readonly received: Json[] = [];
  #cursor = 0;
  #waiters: (() => void)[] = [];
  #nextId = -576460752303423488n;
  closed = false;

  private constructor(
    readonly ws: WebSocket,
    readonly key: KeyPair,
    readonly networkId: string,
  ) {
    ws.on('message', (data) => {
      this.received.push(parseJson(data.toString()) as Json);
      for (const w of this.#waiters.splice(0)) w();
    });
    ws.on('close', () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
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
  async next(match: (m: Json) => boolean = () => true, ms = 5000): Promise<Json> {
    const deadline = Date.now() + ms;
    for (;;) {
      while (this.#cursor < this.received.length) {
        const m = this.received[this.#cursor++]!;
        if (match(m)) return m;
      }
      if (this.closed) throw new Error('socket closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${ms} ms; got ${JSON.stringify(this.received.slice(-5), (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
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
