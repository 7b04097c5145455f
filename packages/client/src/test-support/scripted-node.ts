/**
 * A scripted stand-in for the node, for tests that need it to misbehave: a WebSocket server on
 * 127.0.0.1 that hands each connection to a script. The script reads what the client sends and
 * sends whatever it likes, in the node's message shapes (@ch/rpc builders), signing as the peer.
 */
import { buildTx, channelIdFromCreateTx, encode, generateKeyPair, initialState, signTx, Tag, unpackTx, type Encoded, type KeyPair, type ChannelCreateTx, type OffChainState, type UnsignedTx } from '@ch/codec';
import { fee } from '@ch/node';
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

/** `tx` unsigned, with `forgedFee` or else the fee @ch/node puts in when the client names none. */
export function priced(tx: UnsignedTx & { fee: bigint }, forgedFee?: bigint): Encoded<'tx'> {
  return unsigned({ ...tx, fee: forgedFee ?? fee(tx) } as never);
}

export interface ScriptedChannel {
  readonly channelId: Encoded<'ch'>;
  readonly createTx: Encoded<'tx'>;
  readonly state: OffChainState;
}

/** What a forged create tx changes of the seed's. */
export interface CreateForgery {
  readonly fee?: bigint;
  readonly responderId?: Encoded<'ak'>;
  readonly initiatorAmount?: bigint;
  readonly delegateIds?: readonly Encoded<'ak'>[];
}

/**
 * The unsigned create tx of the seed's channel between `i` and `r`, with the fee @ch/node puts in
 * when none is given, and the state it founds; `forge` bends it.
 */
export function seedCreateTx(i: KeyPair, r: KeyPair, forge: CreateForgery = {}): { state: OffChainState; create: Encoded<'tx'> } {
  const state = initialState({ initiator: i.publicKey, responder: r.publicKey, ...SEED_TERMS });
  const tx: ChannelCreateTx = {
    tag: Tag.ChannelCreateTx,
    version: 1,
    initiatorId: i.publicKey,
    initiatorAmount: forge.initiatorAmount ?? SEED_TERMS.initiatorAmount,
    responderId: forge.responderId ?? r.publicKey,
    responderAmount: SEED_TERMS.responderAmount,
    channelReserve: SEED_TERMS.channelReserve,
    lockPeriod: SEED_TERMS.lockPeriod,
    ttl: 0n,
    fee: 0n,
    delegateIds: [...(forge.delegateIds ?? [])],
    stateHash: encode(state.stateHash(), 'st'),
    nonce: 1n,
  };
  return { state, create: priced(tx, forge.fee) };
}

/** Plays the node's side of an opening up to the create tx to sign: the initiator client's answer to `create`. */
export async function offerCreate(conn: ScriptedConnection, create: Encoded<'tx'>): Promise<Json> {
  conn.notify('channels.info', { event: 'fsm_up', fsm_id: encode(new Uint8Array(32).fill(7), 'ba') });
  conn.notify('channels.info', { event: 'channel_accept' });
  conn.notify('channels.sign.initiator_sign', { signed_tx: create, updates: [] });
  return conn.nextMethod('channels.initiator_sign');
}

/**
 * Plays the node's side of opening a channel with an initiator client (by default the seed's):
 * the create tx to sign, then `open` and the co-signed create tx (co-signed here with the
 * responder's key).
 */
export async function scriptOpen(conn: ScriptedConnection, i: KeyPair, r: KeyPair, founding = seedCreateTx(i, r)): Promise<ScriptedChannel> {
  const signed = await offerCreate(conn, founding.create);
  conn.reply(signed, 'ok');
  const createTx = signTx((signed.params as Json).signed_tx as Encoded<'tx'>, r.secretKey, NETWORK_ID);
  const channelId = channelIdFromCreateTx(unpackTx(createTx));
  conn.channelId = channelId;
  conn.notify('channels.info', { event: 'open' });
  conn.notify('channels.update', { state: createTx });
  return { channelId, createTx, state: founding.state };
}

/** A scripted node and an initiator client connected to it, the seed's channel not yet opened. */
export interface ScriptedConnect {
  readonly node: ScriptedNode;
  readonly conn: ScriptedConnection;
  /** Still connecting: `opened` settles once the script opens the channel (or fails to). */
  readonly channel: Channel;
  readonly i: KeyPair;
  readonly r: KeyPair;
  close(): Promise<void>;
}

export interface ScriptedSession extends ScriptedConnect {
  readonly opened: ScriptedChannel;
}

export type ScriptedOptions = Partial<OpenOptions> & { keys?: { i?: KeyPair; r?: KeyPair } };

/** The options of an initiator client of `i` opening the seed's channel with `r` on the node at `url`. */
export function initiatorOptions(url: string, i: KeyPair, r: KeyPair) {
  return { url, role: 'initiator' as const, networkId: NETWORK_ID, initiatorId: i.publicKey, responderId: r.publicKey, ...SEED_TERMS, signer: secretKeySigner(i.secretKey) };
}

/** A scripted node and an initiator client that connected to it to open the seed's channel. */
export async function connectScripted(options: ScriptedOptions = {}): Promise<ScriptedConnect> {
  const { keys = {}, ...open } = options;
  const i = keys.i ?? generateKeyPair();
  const r = keys.r ?? generateKeyPair();
  let connected!: (c: ScriptedConnection) => void;
  const connection = new Promise<ScriptedConnection>((resolve) => (connected = resolve));
  const node = await startScriptedNode((c) => connected(c));
  const channel = Channel.connect({
    ...initiatorOptions(node.url, i, r),
    store: new MemoryStore(),
    ...open,
    timeouts: { open: 5000, update: 5000, ...open.timeouts },
  });
  const conn = await connection;
  return {
    node,
    conn,
    channel,
    i,
    r,
    async close() {
      channel.disconnect();
      await node.stop();
    },
  };
}

/** A scripted node and an initiator client that opened the seed's channel on it. */
export async function openScripted(options: ScriptedOptions = {}): Promise<ScriptedSession> {
  const connected = await connectScripted(options);
  const opened = await scriptOpen(connected.conn, connected.i, connected.r);
  await connected.channel.opened;
  return { ...connected, opened };
}
