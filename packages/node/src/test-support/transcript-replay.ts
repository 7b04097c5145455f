/**
 * Replays a whole transcript against a running node: each `ws_open` opens a new client session,
 * each client message is sent once everything recorded before it (for every session) has arrived,
 * with the recorded accounts, channel ids, FSM ids and states swapped for this run's. Values are
 * learnt by lining up each received message with the recorded one of the same shape. A session's
 * messages can then be compared with the recorded ones.
 */
import type { KeyPair } from '@ch/codec';
import { parseJson, stringifyJson, type JsonValue } from '@ch/rpc';
import type { RunningNode } from '../node.js';
import { TestClient, type Json } from './client.js';
import { shape, type Actor, type Step } from './transcripts.js';

export interface Session {
  readonly actor: Actor;
  readonly client: TestClient;
  /** The recorded messages this session's client received. */
  readonly expected: Json[];
  /** The recorded messages already lined up with received ones, and those received ones. */
  readonly matched: Set<number>;
  readonly used: Set<number>;
}

export interface ReplayOptions {
  readonly node: RunningNode;
  readonly networkId: string;
  readonly keys: { readonly [A in Actor]: KeyPair };
  /** Changes to a recorded opening's query (say, shorter timeouts). */
  readonly query?: (query: Record<string, string>, actor: Actor) => Record<string, string>;
  /** Run before step `index`, once everything recorded before it has arrived. */
  readonly hooks?: { readonly [index: number]: (replay: TranscriptReplay) => Promise<void> | void };
  /** Received steps recorded after the actor opened a new session that belong to its previous one. */
  readonly previousSession?: readonly number[];
  /** How long to wait for a message before giving up. */
  readonly timeoutMs?: number;
  /**
   * Makes a block. Given, blocks come only when the next recorded message a session waits for is
   * one a block brings and the node has gone quiet: the chain moves when the log shows it moved.
   */
  readonly mine?: () => void;
}

/** How long the node must stay quiet before the replay takes it to be waiting for a block. */
const QUIET_MS = 5;

/** Messages that only a new block brings: what the chain watcher reports, and the FSM's own depth notices. */
const BLOCK_PACED = new Set([
  'on_chain_tx channel_changed',
  'on_chain_tx solo_closing',
  'on_chain_tx can_slash',
  'on_chain_tx channel_closed',
  'info own_funding_locked',
  'info own_deposit_locked',
  'info own_withdraw_locked',
  'info closed_confirmed',
  'info min_depth_achieved',
  'info minimum_depth_achieved',
]);

const SWAPPED_PREFIXES = ['ak_', 'ch_', 'ba_', 'th_', 'tx_'];

export class TranscriptReplay {
  readonly sessions: Session[] = [];
  readonly #current = new Map<Actor, Session>();
  readonly #previous = new Map<Actor, Session>();
  readonly #ended = new Set<Session>();
  #seen = 0;
  /** Recorded value → this run's. */
  readonly swaps = new Map<string, string>();

  constructor(
    readonly steps: readonly Step[],
    readonly options: ReplayOptions,
  ) {}

  /** The sessions of `actor`, in the order they were opened. */
  of(actor: Actor): Session[] {
    return this.sessions.filter((s) => s.actor === actor);
  }

  /** Replays the steps before `until` (all by default). */
  async run(until = this.steps.length): Promise<void> {
    const previous = new Set(this.options.previousSession ?? []);
    const unanswered = new Set<number>();
    for (const [n, step] of this.steps.slice(0, until).entries()) {
      const index = step.index ?? n;
      const hook = this.options.hooks?.[index];
      if (hook !== undefined) {
        await this.settle();
        await hook(this);
      }
      if (step.dir === 'recv' && step.message) {
        if (unanswered.has(index)) continue;
        const session = (previous.has(index) ? this.#previous : this.#current).get(step.actor)!;
        session.expected.push(step.message);
      } else if (step.dir === 'send' && step.message) {
        await this.settle();
        // The peer's stop can end this session's FSM before its own stop (the recorded node had
        // not let the session go yet when it came, a race): once the node is quiet, a stop to a
        // dead FSM is not sent.
        if (isStop(step.message)) await this.#quietFor(QUIET_MS * 4);
        if (this.#current.get(step.actor)!.client.received.some((m) => shape(m) === 'info died')) {
          if (step.reply_step !== undefined) unanswered.add(step.reply_step);
          continue;
        }
        this.#send(step.actor, step.message);
      } else if (step.event === 'ws_open') {
        await this.settle();
        await this.#open(step.actor, step.query!);
      } else if (step.event === 'ws_close') {
        await this.#closed(step.actor);
      }
    }
    await this.settle();
  }

  /**
   * Waits until every session has received a message of each shape recorded so far (so what a
   * recorded client had seen before it acted has arrived here too), learning values as they come.
   */
  async settle(): Promise<void> {
    const timeout = this.options.timeoutMs ?? 5000;
    for (const session of this.sessions) {
      const deadline = Date.now() + timeout;
      for (;;) {
        this.#align(session);
        if (session.matched.size === session.expected.length || session.client.closed) break;
        if (Date.now() > deadline) {
          const missing = session.expected.filter((_, n) => !session.matched.has(n)).map(shape);
          const all = this.sessions.map((s) => `${s.actor}: …${JSON.stringify(s.client.received.slice(-12).map(shape))}`).join('\n');
          throw new Error(`${session.actor} (session ${this.sessions.indexOf(session)}, expected ${session.expected.length}, got ${session.client.received.length}) never got ${JSON.stringify(missing)}; sessions got:\n${all}`);
        }
        const before = session.client.received.length;
        // A message, a quiet spell or the close: the checks above decide what it means.
        await session.client.waitForCount(before + 1, QUIET_MS).catch(() => undefined);
        const next = session.expected.find((_, n) => !session.matched.has(n));
        if (session.client.received.length === before && this.#quiet() && BLOCK_PACED.has(shape(next!))) this.options.mine?.();
      }
    }
  }

  async #quietFor(ms: number): Promise<void> {
    const timeout = this.options.timeoutMs ?? 5000;
    const deadline = Date.now() + timeout;
    this.#quiet();
    do {
      if (Date.now() > deadline) throw new Error(`the node did not go quiet for ${ms} ms within ${timeout} ms`);
      await new Promise((resolve) => setTimeout(resolve, ms));
    } while (!this.#quiet());
  }

  /** No session got anything new since the last look. */
  #quiet(): boolean {
    const total = this.sessions.reduce((n, s) => n + s.client.received.length, 0);
    const quiet = total === this.#seen;
    this.#seen = total;
    return quiet;
  }

  async #open(actor: Actor, recorded: Record<string, string>): Promise<void> {
    const { keys } = this.options;
    // The recorded accounts are learnt from the first opening that names them.
    if (recorded.initiator_id !== undefined) this.#learn(recorded.initiator_id, keys.initiator.publicKey);
    if (recorded.responder_id !== undefined) this.#learn(recorded.responder_id, keys.responder.publicKey);
    const swapped = this.#swap(recorded);
    const query = this.options.query?.(swapped, actor) ?? swapped;
    const client = await TestClient.connect(this.options.node.url, query, keys[actor], this.options.networkId);
    const session: Session = { actor, client, expected: [], matched: new Set(), used: new Set() };
    const before = this.#current.get(actor);
    if (before !== undefined) this.#previous.set(actor, before);
    this.#current.set(actor, session);
    this.sessions.push(session);
  }

  /**
   * The actor's oldest session still open in the log ends. The node closes a session that died
   * or that it refused; the client closes any other.
   */
  async #closed(actor: Actor): Promise<void> {
    const session = this.sessions.find((s) => s.actor === actor && !this.#ended.has(s))!;
    this.#ended.add(session);
    const byNode = session.expected.some((m) => shape(m) === 'info died' || (m.error !== undefined && m.id === null && m.channel_id === null));
    await this.settle();
    if (!byNode) return session.client.close();
    await session.client.waitForClose(this.options.timeoutMs);
  }

  #send(actor: Actor, recorded: Json): void {
    const { client } = this.#current.get(actor)!;
    const message = this.#swap(recorded);
    const params = message.params as Json | undefined;
    if (typeof params?.signed_tx === 'string') {
      const request = [...client.received].reverse().find((m) => String(m.method).startsWith('channels.sign.'));
      params.signed_tx = client.sign(request!);
    }
    client.send(message);
  }

  #swap<T extends JsonValue>(value: T): T {
    let text = stringifyJson(value);
    for (const [from, to] of this.swaps) text = text.split(from).join(to);
    return parseJson(text) as T;
  }

  /** Lines up the session's new messages with recorded ones of the same shape, learning the values they carry. */
  #align(session: Session): void {
    session.client.received.forEach((actual, a) => {
      if (session.used.has(a)) return;
      const i = session.expected.findIndex((m, n) => !session.matched.has(n) && shape(m) === shape(actual));
      if (i < 0) return;
      session.matched.add(i);
      session.used.add(a);
      this.#learn(session.expected[i]!, actual);
    });
  }

  #learn(recorded: JsonValue, actual: JsonValue): void {
    if (typeof recorded === 'string' && typeof actual === 'string') {
      if (recorded !== actual && SWAPPED_PREFIXES.some((p) => recorded.startsWith(p)) && !this.swaps.has(recorded)) this.swaps.set(recorded, actual);
      return;
    }
    if (Array.isArray(recorded) && Array.isArray(actual)) return recorded.forEach((r, n) => this.#learn(r, actual[n]!));
    if (isObject(recorded) && isObject(actual)) for (const key of Object.keys(recorded)) if (key in actual) this.#learn(recorded[key]!, actual[key]!);
  }
}

function isStop(message: Json): boolean {
  return message.method === 'channels.system' && (message.params as Json | undefined)?.action === 'stop';
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
