/**
 * One participant's channel FSM, run like the node's gen_statem (aesc_fsm): events are handled
 * one at a time in arrival order; a state may postpone an event, which is then retried after the
 * next state change; every event restarts the state's timer. State behaviour lives in the state
 * modules; this class holds the data and the machinery they share.
 */
import { encode, type Encoded, type OffChainState, type OffChainUpdate } from '@ch/codec';
import { DEFAULT_MAX_FRAME_BYTES } from '../limits.js';
import type { Profile } from '../profiles.js';
import type { ChainAccess } from './chain-access.js';
import { ChannelState } from './channel-state.js';
import type { CallResult, ClientPort, FsmEvent, OnChainOptions, Report, SignTag, WatchTag } from './events.js';
import type { PeerEndpoint } from './link.js';
import type { ChannelOptions } from './options.js';
import type { ChannelAcceptMsg, PeerMessage } from './peer-messages.js';
import type { StateName } from './states.js';
import { timeoutFor } from './timers.js';
import type { TxContext } from './txs.js';
import type { ChainWatcher } from './watcher.js';

/** A tx the FSM works on, with the updates it carries and the state they lead to (#op_data). */
export interface OpData {
  readonly tx: Encoded<'tx'>;
  readonly updates: readonly OffChainUpdate[];
  readonly next?: OffChainState;
}

/** What the FSM is in the middle of (aesc_fsm.hrl #op_sign, #op_ack, #op_lock, #op_watch, #op_close). */
export type PendingOp =
  /** Waiting for our client's signature on `tx`. */
  | ({ kind: 'sign'; tag: SignTag } & OpData)
  /** Signed by us, waiting for the peer. */
  | ({ kind: 'ack'; tag: SignTag } & OpData)
  /** Deep enough here; waiting for the peer to say so too. */
  | ({ kind: 'lock'; tag: 'funding' | 'deposit' | 'withdraw' } & OpData)
  /** A settle tx held back until the channel's lock expires. */
  | ({ kind: 'unlock' } & OpData)
  /** A co-signed close mutual tx on its way to the chain. */
  | ({ kind: 'close' } & OpData);

export type SignOp = Extract<PendingOp, { kind: 'sign' }>;

/** The op once our client signed: the signed tx goes to (or came back from) the peer. */
export function signedOp(op: SignOp, tx: Encoded<'tx'>): PendingOp {
  return { kind: 'ack', tag: op.tag, tx, updates: op.updates, ...(op.next && { next: op.next }) };
}

/** A tx the FSM waits to see deep enough on chain (#op_min_depth). */
export type ChainOp = { readonly tag: WatchTag; readonly txHash: Encoded<'th'> } & OpData;

/** #data.channel_status: whether `open` (or `closing`) has been reported, or a peer is attaching. */
export type ChannelStatus = 'open' | 'closing' | 'attached' | undefined;

export type StateHandler = (fsm: ChannelFsm, event: FsmEvent) => void;

export interface FsmDeps {
  readonly options: ChannelOptions;
  readonly profile: Profile;
  readonly chain: ChainAccess;
  readonly client: ClientPort;
  readonly initial: OffChainState;
  readonly handlers: { readonly [S in StateName]: StateHandler };
  /** The node's frame limit (DEFAULT_MAX_FRAME_BYTES if not given): what it forwards must fit in one frame. */
  readonly maxFrameBytes?: number;
  /** The state to start in: awaiting_connect / awaiting_open, or a reestablishing state. */
  readonly start?: StateName;
  /** A reestablished channel's id, known from the start: `fsm_up` names it. */
  readonly channelId?: Encoded<'ch'>;
  /** Called once the FSM has terminated, after its client was told. */
  readonly onStop?: () => void;
  /** Called with every co-signed state the client was told of, and on leaving (aesc_fsm `cache_state/1`). */
  readonly onCache?: (fsm: ChannelFsm) => void;
  /** Called when a keep-running responder lost its peer and waits for it to reestablish. */
  readonly onPeerLost?: (fsm: ChannelFsm) => void;
}

export class ChannelFsm {
  readonly options: ChannelOptions;
  readonly profile: Profile;
  readonly chain: ChainAccess;
  readonly fsmId: Encoded<'ba'> = encode(globalThis.crypto.getRandomValues(new Uint8Array(32)), 'ba');
  readonly channel: ChannelState;
  readonly maxFrameBytes: number;

  /** The channel id once known from the create tx (#data.on_chain_id). */
  channelId: Encoded<'ch'> | undefined;
  /** The id both FSMs use while opening (channel_open's temporary_channel_id). */
  temporaryChannelId: Encoded<'ch'> | undefined;
  op: PendingOp | undefined;
  chainOp: ChainOp | undefined;
  watcher: ChainWatcher | undefined;
  /**
   * An update of the channel's state is in flight (#data.ongoing_update): a rival proposal is a
   * conflict, and a timer firing falls back. (The node also notes the exchange's error message
   * type here, but forgets it in the fallback before it would use it.)
   */
  ongoingUpdate = false;
  channelStatus: ChannelStatus;
  peer: PeerEndpoint | undefined;
  /** The minimum depth the responder set (channel_accept); both sides wait for it. */
  minimumDepthParams: ChannelAcceptMsg | undefined;
  /** Once the client signed the create tx it may go away and come back (#data.client_may_disconnect). */
  clientMayDisconnect = false;
  /** Min depths the client told us to assume; their late confirmations are passed on (#data.past_assumptions). */
  readonly pastAssumptions = new Set<Encoded<'th'>>();

  #state: StateName;
  #stopped = false;
  #postponeThis = false;
  #lastReportedRound: bigint | undefined;
  readonly #inbox: FsmEvent[] = [];
  #postponed: FsmEvent[] = [];
  #draining = false;
  #timer: NodeJS.Timeout | undefined;
  #client: ClientPort | undefined;
  readonly #handlers: FsmDeps['handlers'];
  readonly #onStop: (() => void) | undefined;
  readonly #onCache: ((fsm: ChannelFsm) => void) | undefined;
  readonly #onPeerLost: ((fsm: ChannelFsm) => void) | undefined;

  constructor(deps: FsmDeps) {
    this.options = deps.options;
    this.profile = deps.profile;
    this.chain = deps.chain;
    this.#client = deps.client;
    this.#handlers = deps.handlers;
    this.#onStop = deps.onStop;
    this.#onCache = deps.onCache;
    this.#onPeerLost = deps.onPeerLost;
    this.channel = new ChannelState(deps.initial, deps.options.channelReserve);
    this.maxFrameBytes = deps.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#state = deps.start ?? (deps.options.role === 'initiator' ? 'awaiting_connect' : 'awaiting_open');
    this.channelId = deps.channelId;
    this.report({ kind: 'info', event: 'fsm_up', fsmId: this.fsmId });
    this.#restartTimer();
  }

  get state(): StateName {
    return this.#state;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  get clientConnected(): boolean {
    return this.#client !== undefined;
  }

  get myAccount(): Encoded<'ak'> {
    return this.options.role === 'initiator' ? this.options.initiator : this.options.responder;
  }

  get otherAccount(): Encoded<'ak'> {
    return this.options.role === 'initiator' ? this.options.responder : this.options.initiator;
  }

  get participants(): [Encoded<'ak'>, Encoded<'ak'>] {
    return [this.options.initiator, this.options.responder];
  }

  /** What a tx this FSM builds for `account` (its own by default) needs: the channel's ttl is its default (default_ttl/3). */
  txContext(opts: OnChainOptions, account: Encoded<'ak'> = this.myAccount): TxContext {
    return { channelId: this.channelId!, account, ttl: this.options.ttl ?? 0n, chain: this.chain, opts };
  }

  // ---- input -----------------------------------------------------------------------------------

  /** Queues an event; events are handled in order, each to completion, after the caller's turn. */
  deliver(event: FsmEvent): void {
    if (this.#stopped) {
      if (event.kind === 'call') event.reply({ ok: false, error: 'not_ready' });
      return;
    }
    this.#inbox.push(event);
    if (!this.#draining) {
      this.#draining = true;
      queueMicrotask(() => this.#drain());
    }
  }

  /** Handles `event` before anything else queued (a gen_statem `next_event` action). */
  deliverNext(event: FsmEvent): void {
    this.#inbox.unshift(event);
  }

  /** A synchronous client request: resolves when the FSM handles (not postpones) it. */
  call(call: Extract<FsmEvent, { kind: 'call' }>['call']): Promise<CallResult> {
    return new Promise((reply) => this.deliver({ kind: 'call', call, reply }));
  }

  #drain(): void {
    while (this.#inbox.length > 0 && !this.#stopped) {
      const event = this.#inbox.shift()!;
      const before = this.#state;
      this.#postponeThis = false;
      try {
        this.#handlers[before](this, event);
      } catch {
        // A state function that throws ends the FSM as a crashed gen_statem does (terminate/3
        // reports `died`); the node and the other channels go on.
        if (event.kind === 'call') event.reply({ ok: false, error: 'internal' });
        this.stop();
      }
      if (this.#stopped) break;
      if (this.#postponeThis) this.#postponed.push(event);
      if (this.#state !== before && this.#postponed.length > 0) {
        this.#inbox.unshift(...this.#postponed);
        this.#postponed = [];
      }
      this.#restartTimer();
    }
    this.#draining = false;
  }

  // ---- the client ------------------------------------------------------------------------------

  /** The client's socket closed: before the create tx is signed the FSM goes too, after it stays (handle_info 'DOWN'). */
  clientLeft(client: ClientPort): void {
    if (client !== this.#client) return;
    if (!this.clientMayDisconnect) return this.stop();
    this.#client = undefined;
  }

  /** A client reconnected with this FSM's id (handle_call ?RECONNECT_CLIENT): it replaces any other and is told the FSM is up. */
  clientReturned(client: ClientPort): void {
    const old = this.#client;
    this.#client = client;
    old?.replaced();
    this.report({ kind: 'info', event: 'fsm_up', fsmId: this.fsmId });
  }

  // ---- actions for the state modules -----------------------------------------------------------

  /** Keep the event for after the next state change. */
  postpone(): void {
    this.#postponeThis = true;
  }

  /** Moves to `state` and runs its enter actions (the state functions' `enter` clauses). */
  next(state: StateName): void {
    if (state === this.#state) return;
    this.#state = state;
    switch (state) {
      case 'open':
        if (this.channelStatus !== 'open') {
          this.channelStatus = 'open';
          this.report({ kind: 'info', event: 'open' });
        }
        this.reportUpdate();
        this.ongoingUpdate = false;
        return;
      case 'channel_closing':
        this.#enterClosing();
        this.ongoingUpdate = false;
        return;
      case 'mutual_closed':
        return this.#enterClosing();
      case 'channel_closed':
        this.ongoingUpdate = false;
        return;
      default:
        return;
    }
  }

  /** enter_closing/1: `closing` is reported once, then the latest state if not yet reported. */
  #enterClosing(): void {
    if (this.channelStatus !== 'closing') {
      this.channelStatus = 'closing';
      this.report({ kind: 'info', event: 'closing' });
    }
    this.reportUpdate();
  }

  /** A client reestablished: the latest co-signed tx is reported to it anew once open. */
  forgetReportedUpdate(): void {
    this.#lastReportedRound = undefined;
  }

  /** Reports the latest co-signed tx unless already reported (report_update/1), and caches it. */
  reportUpdate(): void {
    const signed = this.channel.signed;
    if (signed === undefined || signed.round === this.#lastReportedRound) return;
    this.#lastReportedRound = signed.round;
    this.report({ kind: 'update', state: signed.tx });
    this.cache();
  }

  /** Waits for the peer to reestablish the channel with us. */
  awaitPeer(): void {
    this.#onPeerLost?.(this);
  }

  /** Remembers the state for a later reestablish (cache_state/1). */
  cache(): void {
    this.#onCache?.(this);
  }

  report(report: Report): void {
    this.#client?.report({ channelId: this.channelId ?? null, report });
  }

  send(msg: PeerMessage): void {
    this.peer?.send(msg);
  }

  /**
   * Sends `tx` to our client to sign with `tag` and waits for it in `awaiting_signature`. With no
   * client connected nobody can sign, so the request fails (request_signing/6 client_disconnected).
   */
  requestSigning(tag: SignTag, tx: Encoded<'tx'>, updates: readonly OffChainUpdate[], next?: OffChainState): boolean {
    if (!this.clientConnected) return false;
    this.op = { kind: 'sign', tag, tx, updates, ...(next && { next }) };
    this.report({ kind: 'sign', tag, tx, updates });
    this.next('awaiting_signature');
    return true;
  }

  /** Terminates: reports `reason` (if it is reported) and `died`, and drops the peer link. */
  close(reason?: 'timeout' | 'bad_signature' | 'closed_confirmed'): void {
    if (this.#stopped) return;
    if (reason !== undefined) this.report({ kind: 'info', event: reason });
    this.stop();
  }

  /** gen_statem:stop: terminate/3 reports `died`; the peer sees the session close. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.watcher?.stop();
    this.report({ kind: 'died' });
    this.peer?.close();
    for (const event of [...this.#inbox, ...this.#postponed]) {
      if (event.kind === 'call') event.reply({ ok: false, error: 'not_ready' });
    }
    this.#inbox.length = 0;
    this.#postponed = [];
    this.#client?.stopped();
    this.#onStop?.();
  }

  #restartTimer(): void {
    clearTimeout(this.#timer);
    const state = this.#state;
    this.#timer = setTimeout(() => this.deliver({ kind: 'timeout', state }), timeoutFor(state, this.options.timeouts));
    this.#timer.unref();
  }
}
