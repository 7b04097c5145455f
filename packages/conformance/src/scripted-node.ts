/**
 * The node's side of a replay: a WebSocket server on 127.0.0.1 that accepts the clients'
 * connections and lets the replay send the node's recorded messages and read the clients' ones.
 */
import { parseJson } from '@ch/rpc';
import { WebSocketServer, type WebSocket } from 'ws';
import { MessageInbox } from '../../../tools/message-inbox.js';
import type { Json } from './transcript.js';

export class NodeConnection {
  /** The path and query the client opened. */
  readonly url: URL;
  readonly #inbox = new MessageInbox<Json>();
  /** Texts the replay itself put on this socket (calls the client API cannot make), in order. */
  readonly #injected: string[] = [];
  /** How many of the client's messages the replay has read. */
  #read = 0;
  /** Answers what the client says on its own, where the recording has nothing to compare it with; true if it did. */
  intercept: ((message: Json) => boolean) | undefined;

  constructor(
    readonly socket: WebSocket,
    path: string,
  ) {
    this.url = new URL(path, 'ws://127.0.0.1');
    socket.on('message', (data) => {
      const text = String(data);
      if (this.#injected[0] === text) {
        this.#injected.shift();
        return;
      }
      const message = parseJson(text) as Json;
      if (!this.intercept?.(message)) this.#inbox.push(message);
    });
    socket.on('close', () => this.#inbox.close());
  }

  get closed(): boolean {
    return this.#inbox.closed;
  }

  /** Messages the client sent that the replay has not read yet. */
  get unread(): number {
    return this.#inbox.received.length - this.#read;
  }

  /** The client's next message. */
  async next(ms: number): Promise<Json> {
    const message = await this.#inbox.next(undefined, ms);
    this.#read++;
    return message;
  }

  /** Marks `text` as the replay's own, about to arrive through the client's socket. */
  injecting(text: string): void {
    this.#injected.push(text);
  }

  send(text: string): void {
    this.socket.send(text);
  }

  close(): void {
    this.socket.close();
  }
}

export class ScriptedNode {
  readonly #server: WebSocketServer;
  readonly #waiting: NodeConnection[] = [];
  #wake: (() => void) | undefined;

  private constructor(server: WebSocketServer) {
    this.#server = server;
    server.on('connection', (socket, request) => {
      this.#waiting.push(new NodeConnection(socket, request.url ?? '/'));
      this.#wake?.();
    });
  }

  static async start(): Promise<ScriptedNode> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return new ScriptedNode(server);
  }

  get url(): string {
    const { port } = this.#server.address() as { port: number };
    return `ws://127.0.0.1:${port}/channel`;
  }

  /** The next connection opened in `role`, waiting up to `ms`. */
  async accept(role: string, ms: number): Promise<NodeConnection> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.#waiting.findIndex((c) => c.url.searchParams.get('role') === role);
      if (i >= 0) return this.#waiting.splice(i, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${role} connected within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  stop(): Promise<void> {
    for (const client of this.#server.clients) client.terminate();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
