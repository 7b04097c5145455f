/**
 * One transcript replayed against two `@ch/client` channels. A single cursor walks the steps in
 * the recorded order, across both participants:
 *
 * - `ws_open`: the participant's client opens (or reestablishes) with options read from the
 *   recorded query, on the scripted node; the query it sends must be the recorded one.
 * - `recv`: the node's recorded message goes to that client as it was recorded, except that a
 *   reply carries the id the client used (and echoes the client's request in an error).
 * - `send`: a request the client starts is made through the client API; a sign reply is the
 *   client's own answer to the sign request, its signature coming from a replay signer. Either
 *   way the replay waits for the client's message and compares it with the recorded one.
 * - `ws_close`: the node closes that socket.
 *
 * Clients are started with `Channel.connect` / `Channel.reconnect`, so the replay holds each
 * channel from its first message: what the recorded clients said during the opening (pings,
 * messages, balance queries) goes through the API too.
 *
 * Where the client cannot say what the recorded client said, the difference is counted, never
 * hidden: requests the API cannot make (the node's input probes, calls with no API) are put on
 * the client's socket by the replay (`injected`); a request the client sends with an id where the
 * recorded one had none gets the node's "ok" when the transcript holds no answer (`synthesized`);
 * the node's state the client asks for on its own (back with an FSM that kept running, it takes
 * the node's latest co-signed state) is answered from the channel's ledger (`nodeStates`).
 */
import { Channel, connectWebSocket, DEFAULT_SIGN_POLICY, MemoryStore, type ChannelRecord, type ChannelTerms, type CommonOptions, type Role, type SignPolicy, type Transport, type TransportFactory } from '@ch/client';
import { encodeCallStateTree, encodeStateTrees, initialState, OffChainState, type Encoded } from '@ch/codec';
import { answerNotification, isSignReplyMethod, isSignRequestMethod, OPERATIONS, operationOf, REPLY_TAGS, SIGN_REQUESTS, stringifyJson, type JsonValue, type OperationEntry } from '@ch/rpc';
import { apiCall, hasApiCall } from './client-calls.js';
import { compareSent, shorten } from './compare.js';
import { Ledger } from './ledger.js';
import { compareQuery, nodeOptions, termsOf } from './open-options.js';
import { ReplaySigner } from './replay-signer.js';
import { ScriptedNode, type NodeConnection } from './scripted-node.js';
import { isMessage, isOpen, methodOf, type Json, type MessageStep, type OpenStep, type Step, type Transcript } from './transcript.js';

export interface ReplayCounts {
  /** Client messages compared equal to the recorded ones. */
  compared: number;
  /** Recorded node messages delivered to the clients. */
  played: number;
  /** Recorded client messages the replay put on the socket itself, by why the client could not send them. */
  injected: Partial<Record<InjectReason, number>>;
  /** Open queries compared equal to the recorded ones. */
  opened: number;
  /** "ok" replies the transcript does not hold, to requests the client sent with an id. */
  synthesized: number;
  /** Node states (`channels.get.offchain_state`) the client asked for on its own, answered from the ledger. */
  nodeStates: number;
}

/**
 * Why the client could not send a recorded message itself: an input probe its typed API cannot
 * express, a call its API lacks, or a second answer to a sign request it already answered.
 */
export type InjectReason = 'probe' | 'no_api' | 'second_answer';

export type ReplayResult = { readonly ok: true; readonly counts: ReplayCounts; readonly notes: readonly string[] } | { readonly ok: false; readonly step: number; readonly reason: string; readonly counts: ReplayCounts };

/** Where a transcript that starts on an open channel starts: the co-signed state both clients resume from. */
export interface StartState {
  readonly record: Omit<ChannelRecord, 'role'>;
  /** How the state was found, for the report. */
  readonly origin: string;
}

export interface ReplayOptions {
  readonly networkId: string;
  readonly start?: StartState;
  /** How long to wait for each message the client should send (default 3000 ms). */
  readonly waitMs?: number;
}

const CLIENT_TIMEOUTS = { connect: 5000, request: 10_000 };

class Mismatch extends Error {
  constructor(
    readonly step: number,
    message: string,
  ) {
    super(message);
  }
}

/** One client connection: a participant may hold two at once (a closing channel and a new one). */
interface Session {
  readonly conn: NodeConnection;
  /** The client's socket, once it is open: the replay puts on it what the API cannot send. */
  readonly transport: Promise<Transport>;
  /** The client, from the moment it starts connecting. */
  readonly channel: Channel;
  /** The channel once open, or undefined if its opening failed. */
  readonly opening: Promise<Channel | undefined>;
  readonly resuming: boolean;
  /** What this session has been told: `open`, and a co-signed state. */
  openSeen: boolean;
  stateSeen: boolean;
  /** The channel id the node last named to this client (null before there is one). */
  channelId: JsonValue;
  /** Why the client's open or reestablish failed, once it has. */
  readonly failure: () => string | undefined;
  /** "ok"s the node owes for operations the client asked for with an id: sent with the operation's sign request. */
  readonly owedOk: { readonly id: JsonValue; readonly signMethod: string }[];
}

type ClientOptions = Required<Pick<CommonOptions, 'signer' | 'store' | 'transport' | 'autoSlash' | 'timeouts' | 'signPolicy' | 'reconnect' | 'keepAlive'>>;

/**
 * The node suite's clients sign whatever fee the other side proposes; a fee bound is a user's
 * choice the recordings cannot show, so the replayed clients are given none.
 */
const RECORDED_POLICY: SignPolicy = { ...DEFAULT_SIGN_POLICY, maxFeeFactor: 2n ** 256n };

interface Actor {
  readonly role: Role;
  readonly store: MemoryStore;
  readonly signer: ReplaySigner;
  /** Open sessions, oldest first. */
  readonly sessions: Session[];
}

export async function replay(transcript: Transcript, options: ReplayOptions): Promise<ReplayResult> {
  const run = new Replay(transcript, options, await ScriptedNode.start());
  try {
    await run.play();
    return { ok: true, counts: run.counts, notes: run.notes };
  } catch (e) {
    const step = e instanceof Mismatch ? e.step : -1;
    return { ok: false, step, reason: (e as Error).message, counts: run.counts };
  } finally {
    await run.stop();
  }
}

class Replay {
  readonly counts: ReplayCounts = { compared: 0, played: 0, injected: {}, synthesized: 0, opened: 0, nodeStates: 0 };
  readonly notes: string[] = [];
  readonly #steps: readonly Step[];
  /** Sign request step → the recorded reply to it. */
  readonly #signAnswers = new Map<number, MessageStep>();
  /** Sign reply step → the sign request it answers. */
  readonly #answeredBy = new Map<number, number>();
  /** Sign replies that answer no sign request. */
  readonly #secondAnswers = new Set<number>();
  readonly #options: ReplayOptions;
  readonly #node: ScriptedNode;
  readonly #actors: Record<Role, Actor>;
  /** Recorded request step → the recorded step answering it (a reply, or a notified answer). */
  readonly #answerOf = new Map<number, number>();
  /** Notified answer step → the request step it answers. */
  readonly #askedBy = new Map<number, number>();
  /** What the client sent for a send step, and on which session. */
  readonly #clientMessages = new Map<number, Json>();
  readonly #sessionOf = new Map<number, Session>();
  readonly #injected = new Set<number>();
  readonly #waitMs: number;
  #fsmIdsSet = 0;
  /** The index of the step being played. */
  #at = 0;
  /** Each channel's co-signed states, from what the node said of it. */
  readonly #ledgers = new Map<string, Ledger>();
  /** The terms each participant opened a new channel with, until its create tx is co-signed. */
  readonly #opening: Partial<Record<Role, ChannelTerms>> = {};

  constructor(transcript: Transcript, options: ReplayOptions, node: ScriptedNode) {
    this.#steps = transcript.steps;
    this.#options = options;
    this.#node = node;
    this.#waitMs = options.waitMs ?? 3000;
    const actor = (role: Role): Actor => ({ role, store: new MemoryStore(), signer: new ReplaySigner(), sessions: [] });
    this.#actors = { initiator: actor('initiator'), responder: actor('responder') };
    this.#index();
  }

  #index(): void {
    const messages = this.#steps.filter(isMessage);
    // Each sign request is answered by its participant's next reply of that kind; a reply that
    // answers no open request (a second abort, probing the node) is not the client's to send.
    // Replies are matched to requests by tag, so a reply by any name the node takes answers its request.
    const open = new Map<string, MessageStep>();
    for (const step of messages) {
      const method = methodOf(step) ?? '';
      if (step.dir === 'recv' && isSignRequestMethod(method)) open.set(`${step.actor} ${SIGN_REQUESTS[method].tag}`, step);
      else if (step.dir === 'send' && isSignReplyMethod(method)) {
        const key = `${step.actor} ${REPLY_TAGS.get(method)}`;
        const request = open.get(key);
        if (request) {
          this.#signAnswers.set(request.index, step);
          this.#answeredBy.set(step.index, request.index);
        } else {
          this.#secondAnswers.add(step.index);
        }
        open.delete(key);
      }
    }
    for (const [i, step] of messages.entries()) {
      if (step.dir === 'recv' && step.in_reply_to !== undefined) this.#answerOf.set(step.in_reply_to, step.index);
      const answer = step.dir === 'send' && !('id' in step.message) ? answerNotification(methodOf(step) ?? '') : undefined;
      if (answer === undefined) continue;
      const notified = messages.slice(i + 1).find((s) => s.actor === step.actor && s.dir === 'recv' && methodOf(s) === answer && !this.#askedBy.has(s.index));
      if (notified) {
        this.#answerOf.set(step.index, notified.index);
        this.#askedBy.set(notified.index, step.index);
      }
    }
  }

  async play(): Promise<void> {
    await this.#resumeWhereNeeded();
    for (const step of this.#steps) {
      this.#at = step.index;
      const actor = this.#actors[step.actor];
      if (isOpen(step)) await this.#open(actor, step);
      else if (isMessage(step)) await (step.dir === 'recv' ? this.#deliver(actor, step) : this.#expect(actor, step));
      else if (step.event === 'ws_close') await this.#close(actor, step.index);
    }
    for (const actor of Object.values(this.#actors)) for (const session of actor.sessions) await this.#noneUnread(actor, session, this.#steps.length);
    if (this.#fsmIdsSet > 0) this.notes.push(`${this.#fsmIdsSet} reestablish attempts with the recorded (probing) FSM id put in the store`);
  }

  async stop(): Promise<void> {
    for (const actor of Object.values(this.#actors)) {
      for (const session of actor.sessions) {
        session.channel.disconnect();
        await session.transport.then((t) => t.close(), () => undefined);
      }
    }
    await this.#node.stop();
  }

  /** A transcript that starts on an open channel: each participant that speaks before opening resumes from the start state. */
  async #resumeWhereNeeded(): Promise<void> {
    const start = this.#options.start;
    for (const actor of Object.values(this.#actors)) {
      const first = this.#steps.find((s) => s.actor === actor.role && (isOpen(s) || isMessage(s)));
      if (first === undefined || isOpen(first)) continue;
      if (!start) throw new Mismatch(first.index, `the ${actor.role} speaks before any ws_open, and no co-signed state to resume from was found`);
      await actor.store.save({ ...start.record, role: actor.role });
      this.#ledgerOf(start.record.channelId, start.record.terms.channelReserve).known(start.record.state.tx, new OffChainState(start.record.state.balances));
      const session = await this.#connect(actor, first.index, true, (options) => Channel.reconnect({ url: this.#node.url, channelId: start.record.channelId, ...options }));
      session.channelId = start.record.channelId;
      // What the node says once a channel is reestablished; the transcript starts after it. Sent
      // once the client has its socket: a message read before that finds it still `connecting`.
      await session.transport;
      session.conn.send(stringifyJson({ jsonrpc: '2.0', method: 'channels.info', params: { channel_id: start.record.channelId, data: { event: 'open' } }, version: 1 }));
      if (!(await session.opening)) throw new Mismatch(first.index, `the ${actor.role} could not resume the channel at round ${start.record.state.round}`);
    }
    if (start) this.notes.push(`resumed at round ${start.record.state.round} (${start.origin})`);
  }

  /** Starts a client and waits for its connection. */
  async #connect(actor: Actor, step: number, resuming: boolean, start: (options: ClientOptions) => Channel | Promise<Channel>): Promise<Session> {
    let factory!: TransportFactory;
    const transport = new Promise<Transport>((resolve, reject) => {
      factory = (url, handlers, ms) => {
        const socket = connectWebSocket(url, handlers, ms);
        socket.then(resolve, reject);
        return socket;
      };
    });
    transport.catch(() => undefined);
    let channel: Channel;
    try {
      channel = await start(this.#clientOptions(actor, factory));
    } catch (e) {
      throw new Mismatch(step, `the ${actor.role} client could not start: ${(e as Error).message}`);
    }
    let failure: string | undefined;
    const opening = channel.opened.then(
      (open) => open,
      (e: unknown) => {
        failure = (e as Error).message;
        return undefined;
      },
    );
    const gaveUp = opening.then(() => {
      throw new Mismatch(step, `the ${actor.role} client gave up before connecting`);
    });
    let conn: NodeConnection;
    try {
      conn = await Promise.race([this.#node.accept(actor.role, CLIENT_TIMEOUTS.connect), gaveUp]);
    } catch (e) {
      throw e instanceof Mismatch ? e : new Mismatch(step, (e as Error).message);
    }
    const session: Session = { conn, transport, channel, opening, resuming, openSeen: false, stateSeen: false, channelId: null, owedOk: [], failure: () => failure };
    conn.intercept = (message) => this.#ownQuery(actor, session, message);
    actor.sessions.push(session);
    return session;
  }

  #clientOptions(actor: Actor, transport: TransportFactory): ClientOptions {
    // The recorded clients slash by hand (`channels.slash`), reconnect by hand and ping only where
    // the transcript shows it: the client's own slash, reconnect or ping would be a message they never sent.
    return { signer: actor.signer, store: actor.store, transport, autoSlash: false, reconnect: false, keepAlive: false, timeouts: CLIENT_TIMEOUTS, signPolicy: RECORDED_POLICY };
  }

  async #open(actor: Actor, step: OpenStep): Promise<void> {
    const q = step.query;
    const node = { url: this.#node.url, ...nodeOptions(q) };
    const resuming = q.existing_channel_id !== undefined;
    if (resuming) await this.#recordedFsmId(actor, q);
    else this.#opening[actor.role] = termsOf(q);
    const session = await this.#connect(actor, step.index, resuming, (options) =>
      resuming
        ? Channel.reconnect({ ...node, ...options, channelId: q.existing_channel_id as Encoded<'ch'> })
        : Channel.connect({ ...node, ...options, ...termsOf(q), networkId: this.#options.networkId }),
    );
    if (session.conn.url.pathname !== '/channel') throw new Mismatch(step.index, `the client opened ${session.conn.url.pathname}, not /channel`);
    const problems = compareQuery(q, session.conn.url.searchParams);
    if (problems.length > 0) throw new Mismatch(step.index, `the ${actor.role}'s open query differs: ${problems.join('; ')}`);
    this.counts.opened++;
  }

  /**
   * The node's test client reestablishes with a missing, malformed or stale FSM id on purpose, to
   * see it refused; the client takes the id from its store, so the store is given the recorded one.
   */
  async #recordedFsmId(actor: Actor, q: Record<string, string>): Promise<void> {
    const record = await actor.store.load(q.existing_channel_id as Encoded<'ch'>);
    if (!record || record.fsmId === q.existing_fsm_id) return;
    const { fsmId: _stored, ...rest } = record;
    await actor.store.save(q.existing_fsm_id === undefined ? rest : { ...rest, fsmId: q.existing_fsm_id as Encoded<'ba'> });
    this.#fsmIdsSet++;
  }

  /** The session a recorded message belongs to: the one its request went out on, the one that knows its channel, else the newest. */
  #sessionFor(actor: Actor, step: MessageStep, asked: number | undefined): Session {
    const byRequest = asked === undefined ? undefined : this.#sessionOf.get(asked);
    const params = step.message.params as Json | undefined;
    const channelId = params?.channel_id ?? step.message.channel_id;
    const byChannel = typeof channelId === 'string' ? actor.sessions.find((s) => s.channelId === channelId) : undefined;
    const session = byRequest ?? byChannel ?? actor.sessions.at(-1);
    if (!session || session.conn.closed) throw new Mismatch(step.index, `the ${actor.role}'s socket is ${session ? 'closed' : 'not open'}`);
    return session;
  }

  #deliver(actor: Actor, step: MessageStep): void {
    const asked = step.in_reply_to ?? this.#askedBy.get(step.index);
    const session = this.#sessionFor(actor, step, asked);
    let message: Json = { ...step.message };
    if (asked !== undefined && this.#injected.has(asked)) {
      // The answer to a message the replay injected is the replay's, as the request was.
      if (step.in_reply_to !== undefined) return;
    } else if (asked !== undefined) {
      const sent = this.#clientMessages.get(asked);
      if (sent?.id !== undefined) message = step.in_reply_to !== undefined ? reply(message, sent) : notifiedAsReply(message, sent.id);
    }
    const method = methodOf(step);
    const params = message.params as Json | undefined;
    // The node answers a call when its FSM takes it, which for an operation is when it asks for its signature.
    const owed = session.owedOk.findIndex((o) => o.signMethod === method);
    if (owed >= 0) this.#sendOk(session, session.owedOk.splice(owed, 1)[0]!.id);
    if (isSignRequestMethod(method)) {
      this.#registerAnswer(actor, step, (params?.data as Json).signed_tx as string);
      this.#sessionOf.set(step.index, session);
    }
    if (method === 'channels.info' && (params?.data as Json | undefined)?.event === 'open') session.openSeen = true;
    if (method === 'channels.update') session.stateSeen = true;
    const channelId = params?.channel_id ?? message.channel_id;
    if (typeof channelId === 'string') session.channelId = channelId;
    this.#record(actor, channelId, method, params?.data as Json | undefined);
    session.conn.send(stringifyJson(message));
    this.counts.played++;
  }

  #ledgerOf(channelId: string, channelReserve: bigint): Ledger {
    let ledger = this.#ledgers.get(channelId);
    if (!ledger) this.#ledgers.set(channelId, (ledger = new Ledger(channelReserve)));
    return ledger;
  }

  /** What the node's message says of the channel's co-signed states. */
  #record(actor: Actor, channelId: JsonValue | undefined, method: string | undefined, data: Json | undefined): void {
    if (typeof channelId !== 'string' || method === undefined || data === undefined) return;
    const opening = this.#opening[actor.role];
    const ledger = this.#ledgers.get(channelId) ?? (opening && this.#ledgerOf(channelId, opening.channelReserve));
    if (!ledger) return;
    if (isSignRequestMethod(method)) ledger.listed(method, data.signed_tx as string, data.updates as Json[]);
    if (method !== 'channels.update' && method !== 'channels.leave') return;
    const tx = data.state as Encoded<'tx'>;
    if (ledger.coSigned(tx) === undefined || !opening) return;
    // The first co-signed state of a new channel: its create tx, at the opening's balances.
    if (ledger.known(tx, initialState({ initiator: opening.initiatorId, responder: opening.responderId, ...opening })) === undefined) delete this.#opening[actor.role];
  }

  /** The signer's answer to a sign request is the recorded client's reply to it, or none when it gave none. */
  #registerAnswer(actor: Actor, step: MessageStep, tx: string): void {
    actor.signer.expect(tx, this.#signAnswers.get(step.index)?.message.params as Json | undefined);
  }

  async #expect(actor: Actor, step: MessageStep): Promise<void> {
    const request = this.#answeredBy.get(step.index);
    const session = this.#sessionFor(actor, step, request);
    const method = methodOf(step)!;
    if (this.#secondAnswers.has(step.index)) return this.#inject(session, step, 'second_answer');
    if (!isSignReplyMethod(method)) {
      const channel = await this.#client(session, step.index);
      const call = apiCall(channel, method, step.message.params as Json);
      if (!call) return this.#inject(session, step, hasApiCall(method) ? 'probe' : 'no_api');
      call().catch(() => undefined); // outcomes are the client's business; its messages are what is compared
    }
    let actual: Json;
    try {
      actual = await session.conn.next(this.#waitMs);
    } catch (e) {
      throw new Mismatch(step.index, `expected ${describe(step.message)}, got nothing (${shorten((e as Error).message, 160)})`);
    }
    const problem = compareSent(step.message, actual);
    if (problem) throw new Mismatch(step.index, `expected ${describe(step.message)}, got ${describe(actual)}: ${problem}`);
    this.counts.compared++;
    this.#clientMessages.set(step.index, actual);
    this.#sessionOf.set(step.index, session);
    if (actual.id !== undefined && !('id' in step.message) && !this.#answerOf.has(step.index)) {
      const operation = operationOf(method);
      const signMethod = operation && (OPERATIONS[operation] as OperationEntry).sign;
      if (signMethod) session.owedOk.push({ id: actual.id, signMethod });
      else this.#sendOk(session, actual.id);
    }
  }

  /** The node's "ok" to a call the recorded client made without an id. */
  #sendOk(session: Session, id: JsonValue): void {
    session.conn.send(stringifyJson({ channel_id: session.channelId, id, jsonrpc: '2.0', result: 'ok', version: 1 }));
    this.counts.synthesized++;
  }

  /**
   * The client, whose API works from its first message on: what the node serves during the
   * opening goes out at once, operations wait for the channel to open. A session told `open` (and,
   * for a new channel, its first co-signed state) must have its `opened` resolve first.
   */
  async #client(session: Session, step: number): Promise<Channel> {
    if (!session.openSeen || !(session.stateSeen || session.resuming)) return session.channel;
    const channel = await within(session.opening, this.#waitMs);
    if (channel) return channel;
    // Often because it waits for the answer to a message the recorded client never sent.
    const sent = session.conn.unread > 0 ? `; it sent ${describe(await session.conn.next(0))}` : '';
    throw new Mismatch(step, `the node reported the channel open, but the client's open ${session.failure() ? `failed: ${session.failure()}` : 'did not resolve'}${sent}`);
  }

  async #inject(session: Session, step: MessageStep, reason: InjectReason): Promise<void> {
    const transport = await within(session.transport, this.#waitMs).catch(() => undefined);
    if (!transport) throw new Mismatch(step.index, 'no client socket to put the recorded message on');
    const text = stringifyJson(step.message);
    session.conn.injecting(text);
    transport.send(text);
    this.#injected.add(step.index);
    this.#sessionOf.set(step.index, session);
    this.counts.injected[reason] = (this.counts.injected[reason] ?? 0) + 1;
  }

  /** The node closes the participant's oldest socket. */
  async #close(actor: Actor, step: number): Promise<void> {
    const session = actor.sessions.shift();
    if (!session) return;
    await this.#noneUnread(actor, session, step);
    session.conn.close();
    // The next socket of this participant reestablishes from the store, whose record the client
    // holds locked until it has seen its socket close.
    for (const deadline = Date.now() + 5000; !['disconnected', 'closed', 'left'].includes(session.channel.status); ) {
      if (Date.now() > deadline) throw new Mismatch(step, `the ${actor.role}'s client did not see its socket close`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // A responder that saw its peer leave is `left` with its socket still open: the recorded
    // client ended that session, so the record is free for its next socket once this resolves.
    await session.channel.disconnect();
  }

  /** After a moment for messages in flight: the client sent nothing the recorded client did not. */
  async #noneUnread(actor: Actor, session: Session, step: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (session.conn.unread > 0) throw new Mismatch(step, `the ${actor.role} sent ${describe(await session.conn.next(0))}, which the recorded client did not`);
  }

  /**
   * The client asks for the node's state where the recorded client's next message is no such
   * request (it takes the state of an FSM that kept running while it was away): answered with the
   * channel's latest co-signed state, as the node has it. Anything else is left to compare.
   */
  #ownQuery(actor: Actor, session: Session, sent: Json): boolean {
    if (sent.method !== 'channels.get.offchain_state' || sent.id === undefined) return false;
    const next = this.#steps.find((s) => s.index >= this.#at && s.actor === actor.role && isMessage(s) && s.dir === 'send') as MessageStep | undefined;
    if (next && methodOf(next) === sent.method) return false;
    const latest = typeof session.channelId === 'string' ? this.#ledgers.get(session.channelId)?.latest : undefined;
    // Without a co-signed state of the channel there is nothing to answer with: the request shows up as unrecorded.
    if (!latest) return false;
    const result = { calls: encodeCallStateTree(), half_signed_tx: '', signed_tx: latest.tx, trees: encodeStateTrees({ accounts: latest.state.accountEntries() }) };
    session.conn.send(stringifyJson({ channel_id: session.channelId, id: sent.id, jsonrpc: '2.0', result, version: 1 }));
    this.counts.nodeStates++;
    return true;
  }
}

/** A recorded reply, answering the client's request: its id, and in an error the request echoed. */
function reply(message: Json, sent: Json): Json {
  const out: Json = { ...message, id: sent.id! };
  const error = message.error as Json | undefined;
  if (error && typeof error.request === 'object') out.error = { ...error, request: sent };
  return out;
}

/** A notified answer (`channels.get.poi.reply`, pong) as the node sends it to a call with an id: a result. */
function notifiedAsReply(message: Json, id: JsonValue): Json {
  const params = message.params as Json;
  return { channel_id: params.channel_id ?? null, id, jsonrpc: '2.0', result: params.data!, version: 1 };
}

/** `promise`'s value, or undefined if it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)))]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(message: Json): string {
  return shorten(stringifyJson(message), 200);
}
