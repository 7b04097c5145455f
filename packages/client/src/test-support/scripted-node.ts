/**
 * A scripted stand-in for the node, for tests that need it to misbehave: a WebSocket server on
 * 127.0.0.1 that hands each connection to a script. The script reads what the client sends and
 * sends whatever it likes, in the node's message shapes (@ch/rpc builders), signing as the peer.
 */
import { buildTx, channelIdFromCreateTx, encode, generateKeyPair, initialState, signTx, Tag, unpackTx, type Encoded, type KeyPair, type OffChainState } from '@ch/codec';
import { nodeNotification, parseJson, stringifyJson, type JsonValue, type NodeMethod, type DataOf } from '@ch/rpc';
import { WebSocketServer, type WebSocket } from 'ws';
import { Channel } from '../channel.js';
import type { OpenOptions } from '../options.js';
import { secretKeySigner } from '../signer.js';
import { MemoryStore } from '../store/store.js';
import { NETWORK_ID, SEED_TERMS } from './terms.js';
import { MessageInbox } from '../../../../tools/message-inbox.js';

export type Json = { [key: string]: JsonValue };

export class ScriptedConnection {
  readonly query: URLSearchParams;
  readonly #inbox = new MessageInbox<Json>();
  channelId: Encoded<'ch'> | null = null;

  constructor(
    readonly socket: WebSocket,
    url: string,
  ) {
    this.query = new URL(url, 'ws://localhost').searchParams;
    socket.on('message', (data) => this.#inbox.push(parseJson(String(data)) as Json));
    socket.on('close', () => this.#inbox.close());
  }

  get received(): readonly Json[] {
    return this.#inbox.received;
  }

  get closed(): boolean {
    return this.#inbox.closed;
  }

  send(value: JsonValue): void {
    this.socket.send(stringifyJson(value));
  }

  notify<M extends NodeMethod>(method: M, data: DataOf<M>): void {
    this.send(nodeNotification(method, this.channelId, data) as unknown as JsonValue);
  }

  reply(request: Json, result: JsonValue): void {
    this.send({ channel_id: this.channelId, id: request.id!, jsonrpc: '2.0', result, version: 1 });
  }

  /** The next message from the client (after those already taken) that matches. */
  next(match?: (m: Json) => boolean, ms?: number): Promise<Json> {
    return this.#inbox.next(match, ms);
  }

  nextMethod(method: string, ms?: number): Promise<Json> {
    return this.next((m) => m.method === method, ms);
  }

  close(): void {
    this.socket.close();
  }
}

export interface ScriptedNode {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startScriptedNode(script: (conn: ScriptedConnection) => Promise<void> | void): Promise<ScriptedNode> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket, request) => {
    const conn = new ScriptedConnection(socket, request.url ?? '/');
    Promise.resolve(script(conn)).catch(() => conn.close());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/channel`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** An unsigned tx in the node's signed-tx wrapper with no signatures. */
export function unsigned(tx: Parameters<typeof buildTx>[0] & { tag: Exclude<Tag, typeof Tag.SignedTx> }): Encoded<'tx'> {
  return buildTx({ tag: Tag.SignedTx, version: 1, signatures: [], encodedTx: tx as never });
}

export interface ScriptedChannel {
  readonly channelId: Encoded<'ch'>;
  readonly createTx: Encoded<'tx'>;
  readonly state: OffChainState;
}

/** The unsigned create tx of the seed's channel between `i` and `r`, and the state it founds. */
export function seedCreateTx(i: KeyPair, r: KeyPair): { state: OffChainState; create: Encoded<'tx'> } {
  const state = initialState({ initiator: i.publicKey, responder: r.publicKey, ...SEED_TERMS });
  const create = unsigned({
    tag: Tag.ChannelCreateTx,
    version: 1,
    initiatorId: i.publicKey,
    initiatorAmount: SEED_TERMS.initiatorAmount,
    responderId: r.publicKey,
    responderAmount: SEED_TERMS.responderAmount,
    channelReserve: SEED_TERMS.channelReserve,
    lockPeriod: SEED_TERMS.lockPeriod,
    ttl: 0n,
    fee: 17_640_000_000_000n,
    delegateIds: [],
    stateHash: encode(state.stateHash(), 'st'),
    nonce: 1n,
  });
  return { state, create };
}

/**
 * Plays the node's side of opening the seed's channel with an initiator client: the create tx to
 * sign, then `open` and the co-signed create tx (co-signed here with the responder's key).
 */
export async function scriptOpen(conn: ScriptedConnection, i: KeyPair, r: KeyPair): Promise<ScriptedChannel> {
  const { state, create } = seedCreateTx(i, r);
  conn.notify('channels.info', { event: 'fsm_up', fsm_id: encode(new Uint8Array(32).fill(7), 'ba') });
  conn.notify('channels.info', { event: 'channel_accept' });
  conn.notify('channels.sign.initiator_sign', { signed_tx: create, updates: [] });
  const signed = await conn.nextMethod('channels.initiator_sign');
  conn.reply(signed, 'ok');
  const createTx = signTx((signed.params as Json).signed_tx as Encoded<'tx'>, r.secretKey, NETWORK_ID);
  const channelId = channelIdFromCreateTx(unpackTx(createTx));
  conn.channelId = channelId;
  conn.notify('channels.info', { event: 'open' });
  conn.notify('channels.update', { state: createTx });
  return { channelId, createTx, state };
}

export interface ScriptedSession {
  readonly node: ScriptedNode;
  readonly conn: ScriptedConnection;
  readonly channel: Channel;
  readonly opened: ScriptedChannel;
  readonly i: KeyPair;
  readonly r: KeyPair;
  close(): Promise<void>;
}

/** A scripted node and an initiator client that opened the seed's channel on it. */
export async function openScripted(options: Partial<OpenOptions> & { keys?: { i?: KeyPair; r?: KeyPair } } = {}): Promise<ScriptedSession> {
  const { keys = {}, ...open } = options;
  const i = keys.i ?? generateKeyPair();
  const r = keys.r ?? generateKeyPair();
  let connected!: (c: ScriptedConnection) => void;
  const connection = new Promise<ScriptedConnection>((resolve) => (connected = resolve));
  const node = await startScriptedNode((c) => connected(c));
  const opening = Channel.open({
    url: node.url,
    role: 'initiator',
    networkId: NETWORK_ID,
    initiatorId: i.publicKey,
    responderId: r.publicKey,
    ...SEED_TERMS,
    signer: secretKeySigner(i.secretKey),
    store: new MemoryStore(),
    ...open,
    timeouts: { open: 5000, update: 5000, ...open.timeouts },
  });
  const conn = await connection;
  const opened = await scriptOpen(conn, i, r);
  const channel = await opening;
  return {
    node,
    conn,
    channel,
    opened,
    i,
    r,
    async close() {
      channel.disconnect();
      await node.stop();
    },
  };
}
