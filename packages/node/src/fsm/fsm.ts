/**
 * One participant's channel FSM, run like the node's gen_statem (aesc_fsm): events are handled
 * one at a time in arrival order; a state may postpone an event, which is then retried after the
 * next state change; every event restarts the state's timer. State behaviour lives in the state
 * modules (opening, signing, updates); this class holds the data and the machinery they share.
 */
import { encode, type Encoded, type OffChainUpdate } from '@ch/codec';
import type { Profile } from '../profiles.js';
import type { ChainAccess } from './chain-access.js';
import { ChannelState } from './channel-state.js';
import type { CallResult, ClientPort, FsmEvent, Report, SignTag } from './events.js';
import type { PeerEndpoint } from './link.js';
import type { ChannelOptions } from './options.js';
import type { ChannelAcceptMsg, PeerMessage } from './peer-messages.js';
import type { StateName } from './states.js';
import { timeoutFor } from './timers.js';
import type { OffChainState } from '@ch/codec';

/** What the FSM is in the middle of (aesc_fsm.hrl #op_sign / #op_ack). */
export type PendingOp =
  /** Waiting for our client's signature on `tx`; `next` is the state it leads to. */
  | { kind: 'sign'; tag: SignTag; tx: Encoded<'tx'>; updates: readonly OffChainUpdate[]; next?: OffChainState }
  /** Signed by us, waiting for the peer. */
  | { kind: 'ack'; tag: SignTag; tx: Encoded<'tx'>; updates: readonly OffChainUpdate[]; next?: OffChainState };

/** A tx the FSM waits to see locked on chain (#op_min_depth). */
export interface ChainWatch {
  readonly tag: 'funding';
  readonly tx: Encoded<'tx'>;
  readonly txHash: Encoded<'th'>;
}

export type StateHandler = (fsm: ChannelFsm, event: FsmEvent) => void;

export interface FsmDeps {
  readonly options: ChannelOptions;
  readonly profile: Profile;
  readonly chain: ChainAccess;
  readonly client: ClientPort;
  readonly initial: OffChainState;
  readonly handlers: { readonly [S in StateName]: StateHandler };
  /** Called once the FSM has terminated, after its client was told. */
  readonly onStop?: () => void;
}

export class ChannelFsm {
  readonly options: ChannelOptions;
  readonly profile: Profile;
  readonly chain: ChainAccess;
  readonly fsmId: Encoded<'ba'> = encode(globalThis.crypto.getRandomValues(new Uint8Array(32)), 'ba');
  readonly channel: ChannelState;

  /** The channel id once known from the create tx (#data.on_chain_id). */
  channelId: Encoded<'ch'> | undefined;
  /** The id both FSMs use while opening (channel_open's temporary_channel_id). */
  temporaryChannelId: Encoded<'ch'> | undefined;
  op: PendingOp | undefined;
  watch: ChainWatch | undefined;
  ongoingUpdate = false;
  /** The error message the peer gets if an update in flight times out (#data.error_msg_type). */
  errorMsgType: 'update_error' | undefined;
  /** Whether `open` has been reported (#data.channel_status). */
  channelOpen = false;
  peer: PeerEndpoint | undefined;
  /** The minimum depth the responder set (channel_accept); both sides wait for it. */
  minimumDepthParams: ChannelAcceptMsg | undefined;

  #state: StateName;
  #stopped = false;
  #postponeThis = false;
  #lastReportedRound: bigint | undefined;
  readonly #inbox: FsmEvent[] = [];
  #postponed: FsmEvent[] = [];
  #draining = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #client: ClientPort;
  readonly #handlers: FsmDeps['handlers'];
  readonly #onStop: (() => void) | undefined;

  constructor(deps: FsmDeps) {
    this.options = deps.options;
    this.profile = deps.profile;
    this.chain = deps.chain;
    this.#client = deps.client;
    this.#handlers = deps.handlers;
    this.#onStop = deps.onStop;
    this.channel = new ChannelState(deps.initial, deps.options.channelReserve);
    this.#state = deps.options.role === 'initiator' ? 'awaiting_connect' : 'awaiting_open';
    this.report({ kind: 'info', event: 'fsm_up', fsmId: this.fsmId });
    this.#restartTimer();
  }

  get state(): StateName {
    return this.#state;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  get myAccount(): Encoded<'ak'> {
    return this.options.role === 'initiator' ? this.options.initiator : this.options.responder;
  }

  get otherAccount(): Encoded<'ak'> {
    return this.options.role === 'initiator' ? this.options.responder : this.options.initiator;
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

  /** A synchronous client request: resolves when the FSM handles (not postpones) it. */
  call(call: Extract<FsmEvent, { kind: 'call' }>['call']): Promise<CallResult> {
    return new Promise((reply) => this.deliver({ kind: 'call', call, reply }));
  }

  #drain(): void {
    while (this.#inbox.length > 0 && !this.#stopped) {
      const event = this.#inbox.shift()!;
      const before = this.#state;
      this.#postponeThis = false;
      this.#handlers[before](this, event);
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

  // ---- actions for the state modules -----------------------------------------------------------

  /** Keep the event for after the next state change. */
  postpone(): void {
    this.#postponeThis = true;
  }

  /** Moves to `state`; entering `open` reports it and the latest co-signed state (open/3 enter). */
  next(state: StateName): void {
    if (state === this.#state) return;
    this.#state = state;
    if (state === 'open') {
      if (!this.channelOpen) {
        this.channelOpen = true;
        this.report({ kind: 'info', event: 'open' });
      }
      this.reportUpdate();
      this.ongoingUpdate = false;
    }
  }

  /** Reports the latest co-signed tx unless already reported (report_update/1). */
  reportUpdate(): void {
    const signed = this.channel.signed;
    if (signed === undefined || signed.round === this.#lastReportedRound) return;
    this.#lastReportedRound = signed.round;
    this.report({ kind: 'update', state: signed.tx });
  }

  report(report: Report): void {
    this.#client.report({ channelId: this.channelId ?? null, report });
  }

  send(msg: PeerMessage): void {
    this.peer?.send(msg);
  }

  /** Sends `tx` to our client to sign with `tag` and waits for it in `awaiting_signature`. */
  requestSigning(tag: SignTag, tx: Encoded<'tx'>, updates: readonly OffChainUpdate[], next?: OffChainState): void {
    this.op = { kind: 'sign', tag, tx, updates, ...(next && { next }) };
    this.report({ kind: 'sign', tag, tx, updates });
    this.next('awaiting_signature');
  }

  /** Terminates: reports `reason` (if it is reported) and `died`, and drops the peer link. */
  close(reason?: 'timeout' | 'bad_signature'): void {
    if (this.#stopped) return;
    if (reason !== undefined) this.report({ kind: 'info', event: reason });
    this.stop();
  }

  /** gen_statem:stop: terminate/3 reports `died`; the peer sees the session close. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.report({ kind: 'died' });
    this.peer?.close();
    for (const event of [...this.#inbox, ...this.#postponed]) {
      if (event.kind === 'call') event.reply({ ok: false, error: 'not_ready' });
    }
    this.#inbox.length = 0;
    this.#postponed = [];
    this.#client.stopped();
    this.#onStop?.();
  }

  #restartTimer(): void {
    clearTimeout(this.#timer);
    const state = this.#state;
    this.#timer = setTimeout(() => this.deliver({ kind: 'timeout', state }), timeoutFor(state, this.options.timeouts));
    this.#timer.unref();
  }
}
