/**
 * `Channel`: one participant's side of a state channel, driven through its node's WebSocket API.
 *
 * A thin shell around the core (core/step.ts): it turns what the node sends into the core's
 * events and runs the effects `step` returns (replies, signer calls, store writes, settlements,
 * events). Everything the node sends is handled one message at a time, in arrival order (the
 * node's reports are ordered, and conflicts are attributed by that order; see signing-round.ts).
 * A handler may wait for the store before the next message is looked at, never for the signer:
 * its answer comes back as an event of its own. Replies to requests are matched by the RPC session
 * as they arrive and never wait behind that queue.
 */
import { encode, poiHash, Tag, type Encoded } from '@ch/codec';
import { includedSnapshotRound } from './snapshot-report.js';
import {
  isSignRequestMethod,
  OPERATIONS,
  SIGN_REPLY_METHODS,
  type ChannelInfo,
  type ClientMethod,
  type Conflict,
  type NodeNotification,
  type OffChainState as NodeOffChainState,
  type OnChainTx,
  type ParamsOf,
  type ResultOf,
  type RpcError,
  type SignRequest,
  type SignRequestMethod,
} from '@ch/rpc';
import type { ChannelEvents } from './channel-events.js';
import { isPeerProposal, signedBy, unwrap, type ChannelTerms, type ChannelView, type CoSignedState, type Expectation, type OnChainExpectation } from './checks.js';
import { CoSignedStates } from './co-signed-states.js';
import { initialState, mayStart, roundOf, sessionOf, statusOf, type CoreState } from './core/state.js';
import { step, type CoreEvent, type Effect } from './core/step.js';
import { deferred, withTimeout, type Deferred } from './deadlines.js';
import { Emitter, type Listener } from './emitter.js';
import { AbortCode, ChannelError, ChannelErrorKind, isChannelError, NodeReportError, RpcRequestError } from './errors.js';
import { SerialInbox } from './inbox.js';
import { checkNodeState } from './node-state.js';
import { OperationQueue, type Completion } from './operations.js';
import { DEFAULT_SIGN_POLICY, type SignPolicy } from './policy.js';
import { DEFAULT_TIMEOUTS, onChainParams, type FundingOptions, type OnChainOptions, type OpenOptions, type ReestablishOptions, type Timeouts } from './options.js';
import { openQuery, reestablishQuery, withQuery, type NodeOptions } from './query.js';
import { reconnectPolicy, Reconnects, type ReconnectPolicy } from './reconnect.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { RpcSession } from './rpc-session.js';
import type { Role, Signer } from './signer.js';
import { judgeRequest, servedOperation, SignerCalls, type SignerQuestion } from './signing.js';
import { isTerminal, type ChannelStatus } from './state-machine.js';
import { keepAliveOptions, withKeepAlive, type KeepAliveOptions } from './keep-alive.js';
import { fromStored } from './store/record.js';
import { checkRecord } from './store/record-format.js';
import { defaultStore } from './store/default-store.js';
import type { ChannelRecord, ChannelStore, RecordLock } from './store/store.js';
import { connectWebSocket, type Transport, type TransportFactory } from './transport.js';
import { validateOpenOptions, validateReestablishOptions } from './validate-options.js';

interface ChannelInit {
  readonly role: Role;
  readonly networkId: string;
  readonly terms: ChannelTerms;
  readonly signer: Signer;
  readonly store: ChannelStore;
  readonly timeouts: Timeouts;
  readonly retry: RetryPolicy | undefined;
  readonly reconnect: Required<ReconnectPolicy> | false;
  /** Where a lost socket is reopened, and with which of the node's options. */
  readonly endpoint: { readonly url: string; readonly node: NodeOptions };
  readonly autoSlash: boolean;
  readonly policy: SignPolicy;
  readonly keepAlive: KeepAliveOptions | false;
  /** This party's open options for the create tx (the initiator's are in it; a responder's are what it agrees to). */
  readonly opening?: OnChainOptions;
  readonly record?: ChannelRecord;
  /** The record's state is the create tx only we signed: the channel never opened, that state is still pending. */
  readonly unopened?: boolean;
  /** The record's lock, taken before reestablishing from it; a new channel takes it at its first save. */
  readonly lock?: RecordLock;
  /** Where to connect, and the status the channel is in once connected. */
  readonly connection: Connection;
}

interface Connection {
  readonly factory: TransportFactory | undefined;
  readonly url: string;
  readonly next: 'awaiting_open' | 'reestablishing';
}

export class Channel {
  readonly role: Role;
  readonly networkId: string;
  readonly terms: ChannelTerms;
  readonly #timeouts: Timeouts;
  readonly #retry: RetryPolicy | undefined;
  readonly #autoSlash: boolean;
  readonly #policy: SignPolicy;
  readonly #keepAlive: KeepAliveOptions | false;
  readonly #opening: OnChainOptions | undefined;
  readonly #events: Emitter<ChannelEvents>;
  readonly #session: RpcSession;
  readonly #ops = new OperationQueue(() => this.#pump());
  readonly #ready = deferred<void>();
  readonly #inbox: SerialInbox;
  readonly #states: CoSignedStates;
  readonly #signer: SignerCalls;
  /** What the signer is to be asked, per round, from the check until the core asks it. */
  readonly #questions = new Map<number, SignerQuestion>();
  /** The core's state: `step` alone moves it. */
  #core: CoreState;
  #transport: Transport | undefined;
  /** The transport once handed over: `disconnect()` before then closes it as soon as it is. */
  readonly #connected = deferred<Transport>();
  /** What was sent while the socket was opening: the node may speak (and be answered) before the transport is handed over. */
  readonly #outbox: string[] = [];
  readonly #opened: Promise<Channel>;
  #channelId: Encoded<'ch'> | undefined;
  #fsmId: Encoded<'ba'> | undefined;
  #leaving: Deferred<Encoded<'tx'>> | undefined;
  /** Constructed from a stored record to reestablish. */
  readonly #resuming: boolean;
  /** Undefined when reconnecting is off. */
  readonly #reconnects: Reconnects | undefined;
  readonly #endpoint: ChannelInit['endpoint'];
  readonly #factory: TransportFactory | undefined;
  /** The channel was open once: a socket lost from then on is reconnected. */
  #wasOpen = false;
  /** `disconnect()` was called: no socket closing from now on is reconnected. */
  #hangUp = false;

  private constructor(init: ChannelInit) {
    this.role = init.role;
    this.networkId = init.networkId;
    this.terms = init.terms;
    this.#timeouts = init.timeouts;
    this.#retry = init.retry;
    this.#autoSlash = init.autoSlash;
    this.#policy = init.policy;
    this.#keepAlive = init.keepAlive;
    this.#opening = init.opening;
    this.#events = new Emitter<ChannelEvents>((error, event) => {
      if (event !== 'error') this.#events.emit('error', new ChannelError(ChannelErrorKind.LISTENER, `a listener of "${String(event)}" threw`, { cause: error }));
    });
    this.#inbox = new SerialInbox(
      (e) => this.#events.emit('error', e instanceof ChannelError ? e : new ChannelError(ChannelErrorKind.PROTOCOL, `handling a node message failed: ${(e as Error).message}`, { cause: e })),
      () => this.#pump(),
    );
    this.#session = new RpcSession((text) => (this.#transport ? this.#transport.send(text) : this.#outbox.push(text)), {
      onNotification: (message, seq) => this.#inbox.enqueue(() => this.#onNotification(message, seq)),
      onInvalid: (error, raw, seq) => this.#inbox.enqueue(() => this.#onInvalid(error, raw, seq)),
    });
    const { record } = init;
    this.#resuming = record !== undefined;
    this.#channelId = record?.channelId;
    this.#fsmId = record?.fsmId;
    const report = (error: ChannelError) => this.#events.emit('error', error);
    this.#states = new CoSignedStates(
      {
        role: this.role,
        networkId: this.networkId,
        terms: this.terms,
        store: init.store,
        channelId: () => this.#channelId,
        fsmId: () => this.#fsmId,
        nodeState: () => this.#request('channels.get.offchain_state', {}),
        report,
      },
      record && !init.unopened ? fromStored(record.state) : undefined,
      record && (init.unopened ? fromStored(record.state) : record.pending && fromStored(record.pending)),
      init.lock,
    );
    this.#signer = new SignerCalls(init.signer, this.#timeouts.sign);
    this.#core = initialState(init.connection.next, this.#states.latest?.round);
    this.#endpoint = init.endpoint;
    this.#factory = init.connection.factory;
    this.#reconnects =
      init.reconnect === false
        ? undefined
        : new Reconnects(init.reconnect, this.#timeouts.open, {
            dial: () => this.#redial(),
            attempt: (attempt) => this.#events.emit('reconnecting', attempt),
            gone: () => this.#hangUp,
            gaveUp: (error) => this.#inbox.enqueue(() => this.#dispatch({ type: 'reconnect_failed', error })),
          });
    this.#opened = this.#connect(init.connection).then(() => this);
    // `open` hands this very promise to its caller; a caller of `connect` may never look at it.
    this.#opened.catch(() => undefined);
  }

  /**
   * Starts opening a new channel and returns it at once, still `connecting`; `opened` resolves
   * once it is open. Until then the channel takes requests the node serves during the opening
   * (`ping`, `sendMessage`, `balances`, …), and queues operations (`transfer`, `deposit`, …).
   */
  static connect(options: OpenOptions): Channel {
    validateOpenOptions(options);
    const terms: ChannelTerms = {
      initiatorId: options.initiatorId,
      responderId: options.responderId,
      initiatorAmount: options.initiatorAmount,
      responderAmount: options.responderAmount,
      pushAmount: options.pushAmount ?? 0n,
      channelReserve: options.channelReserve,
      lockPeriod: options.lockPeriod,
    };
    const connection = { factory: options.transport, url: withQuery(options.url, openQuery(options.role, terms, options)), next: 'awaiting_open' } as const;
    const { nonce, fee, gasPrice } = options;
    const opening = { ...(nonce !== undefined && { nonce }), ...(fee !== undefined && { fee }), ...(gasPrice !== undefined && { gasPrice }) };
    return new Channel({ ...Channel.#common(options), role: options.role, networkId: options.networkId, terms, connection, opening });
  }

  /** Opens a new channel; resolves once it is open (funding locked on chain and round 1 co-signed). */
  static async open(options: OpenOptions): Promise<Channel> {
    return Channel.connect(options).opened;
  }

  /**
   * Starts reestablishing a channel from the last co-signed state in `store`; resolves as soon as
   * the record is read and the connection started, with the channel still `connecting`. `opened`
   * resolves once the node reports it open.
   */
  static async reconnect(options: ReestablishOptions): Promise<Channel> {
    validateReestablishOptions(options);
    const store = options.store ?? defaultStore();
    const loaded = await store.load(options.channelId, options.role);
    if (!loaded) throw new ChannelError(ChannelErrorKind.NOT_ALLOWED, `the store has no record of ${options.channelId}`);
    const record = checkRecord(loaded, options.channelId, options.role);
    if (options.networkId !== undefined && options.networkId !== record.networkId) {
      throw new ChannelError(ChannelErrorKind.NOT_ALLOWED, `the record is for network ${record.networkId}, not ${options.networkId}`);
    }
    // A pending state both signed is newer than the confirmed one; one only we signed is not a state yet.
    const both = [record.terms.initiatorId, record.terms.responderId];
    // Reconnecting before the channel opened (sc_ws_reconnect_early), the record holds only the
    // create tx we signed: there is no co-signed state to name, and the node resumes the opening
    // by the channel and FSM ids alone.
    const unopened = unwrap(record.state.tx).inner.tag === Tag.ChannelCreateTx && !signedBy(record.state.tx, record.networkId, both);
    const offChainTx = record.pending && signedBy(record.pending.tx, record.networkId, both) ? record.pending.tx : unopened ? undefined : record.state.tx;
    const query = reestablishQuery(record.role, record.channelId, offChainTx, record.fsmId, options);
    const connection = { factory: options.transport, url: withQuery(options.url, query), next: 'reestablishing' } as const;
    // One instance per party and record: a second would replace this one's session with the node.
    const lock = await store.lock?.(record.channelId, record.role);
    return new Channel({ ...Channel.#common({ ...options, store }), role: record.role, networkId: record.networkId, terms: record.terms, record, unopened, connection, ...(lock && { lock }) });
  }

  /** Resumes a channel from the last co-signed state in `store`; resolves once the node reports it open. */
  static async reestablish(options: ReestablishOptions): Promise<Channel> {
    return (await Channel.reconnect(options)).opened;
  }

  static #common(options: OpenOptions | ReestablishOptions): Omit<ChannelInit, 'role' | 'networkId' | 'terms' | 'connection'> {
    return {
      signer: options.signer,
      store: options.store ?? defaultStore(),
      timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
      retry: options.retry,
      reconnect: reconnectPolicy(options.reconnect),
      endpoint: { url: options.url, node: options },
      autoSlash: options.autoSlash ?? true,
      policy: options.signPolicy ?? DEFAULT_SIGN_POLICY,
      keepAlive: keepAliveOptions(options.keepAlive),
    };
  }

  async #connect({ factory, url }: Connection): Promise<void> {
    try {
      this.#transport = await this.#dial(factory, url);
    } catch (e) {
      const error = isChannelError(e) ? e : new ChannelError(ChannelErrorKind.DISCONNECTED, `could not connect to the node: ${(e as Error).message}`, { cause: e });
      // What was asked while connecting will never be sent.
      this.#session.close(error);
      this.#connected.reject(error);
      void this.#dispatch({ type: 'connect_failed', error });
      throw error;
    }
    for (const text of this.#outbox.splice(0)) this.#transport.send(text);
    this.#connected.resolve(this.#transport);
    void this.#dispatch({ type: 'connected' });
    try {
      await withTimeout(this.#ready.promise, this.#timeouts.open, 'opening the channel');
    } catch (e) {
      this.disconnect();
      throw e;
    }
  }

  /** A socket to the node, kept alive, its frames handled by this channel: the first one and every reconnect's. */
  #dial(factory: TransportFactory | undefined, url: string): Promise<Transport> {
    const connect = withKeepAlive(factory ?? connectWebSocket, this.#keepAlive, (timeoutMs) => this.#session.request('channels.system', { action: 'ping' }, { timeoutMs }));
    return connect(url, { onMessage: (text) => this.#receive(text), onClose: (code, reason) => this.#onClose(code, reason) }, this.#timeouts.connect);
  }

  /** The node may speak before the transport is handed over: its first message says we are connected. */
  #receive(text: string): void {
    void this.#dispatch({ type: 'connected' });
    this.#session.receive(text);
  }

  /** A new socket after a lost one, reestablishing from the record: its FSM id, the newest state both signed. */
  async #redial(): Promise<Transport> {
    const query = reestablishQuery(this.role, this.#channelId!, this.#states.newest?.tx, this.#fsmId, this.#endpoint.node);
    this.#session.reopen();
    let transport: Transport;
    try {
      transport = await this.#dial(this.#factory, withQuery(this.#endpoint.url, query));
    } catch (e) {
      this.#session.close(e as ChannelError);
      this.#outbox.length = 0;
      throw e;
    }
    for (const text of this.#outbox.splice(0)) transport.send(text);
    this.#transport = transport;
    // Disconnected while it opened: it closes at once, and the close ends the channel.
    if (this.#hangUp) transport.close();
    return transport;
  }

  // ——— state ———

  get status(): ChannelStatus {
    return statusOf(this.#core);
  }

  /**
   * Resolves with this channel once it is open; rejects if the opening fails (the socket cannot
   * connect or closes, the node's FSM dies, or `timeouts.open` passes). Not awaiting it is safe.
   */
  get opened(): Promise<Channel> {
    return this.#opened;
  }

  /** Known once the create tx is (or, reestablishing, was) signed. */
  get channelId(): Encoded<'ch'> | undefined {
    return this.#channelId;
  }

  get fsmId(): Encoded<'ba'> | undefined {
    return this.#fsmId;
  }

  /** The last co-signed round (0 before the channel is open). */
  get round(): bigint {
    return this.#states.latest?.round ?? 0n;
  }

  /** The last co-signed state: tx, round and balances. */
  get state(): CoSignedState | undefined {
    return this.#states.latest;
  }

  /** An account's balance in the last co-signed state, computed locally. */
  balanceOf(account: Encoded<'ak'>): bigint | undefined {
    return this.#states.latest?.state.balanceOf(account);
  }

  on<K extends keyof ChannelEvents>(event: K, listener: Listener<ChannelEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  once<K extends keyof ChannelEvents>(event: K, listener: Listener<ChannelEvents[K]>): () => void {
    return this.#events.once(event, listener);
  }

  off<K extends keyof ChannelEvents>(event: K, listener: Listener<ChannelEvents[K]>): void {
    this.#events.off(event, listener);
  }

  // ——— operations that need the peer's signature or the chain ———

  /** Transfers `amount` off-chain; resolves with the new co-signed round. */
  /**
   * `supersede`: start even while the peer's proposal waits for our signer, instead of after it.
   * The node answers "ok" and ends both with a conflict (a `ConflictError` here), and our signer's
   * signal fires at once; without it the transfer waits for the peer's round to end.
   */
  transfer(from: Encoded<'ak'>, to: Encoded<'ak'>, amount: bigint, options: { meta?: readonly string[]; supersede?: boolean } = {}): Promise<bigint> {
    const meta = options.meta ?? [];
    const params: ParamsOf<'channels.update.new'> = { from, to, amount, ...(meta.length > 0 && { meta: [...meta] }) };
    const updates = [{ op: 'OffChainTransfer' as const, from, to, amount }, ...meta.map((data) => ({ op: 'OffChainMeta' as const, data }))];
    const supersede = options.supersede === true;
    return withRetry(this.#retry, () =>
      this.#operate<bigint>(OPERATIONS.transfer.request, params, `transfer of ${amount}`, { kind: 'update', updates }, OPERATIONS.transfer.sign, OPERATIONS.transfer.completion, this.#timeouts.update, supersede),
    );
  }

  /**
   * Deposits `amount` from this participant's account; resolves with the new round once locked on
   * chain. The options go into the tx (checked before signing); `meta` is listed after the deposit.
   */
  deposit(amount: bigint, options: FundingOptions = {}): Promise<bigint> {
    return this.#funding('deposit', amount, options);
  }

  /** Withdraws `amount` to this participant's account; resolves with the new round once locked on chain. Options as for `deposit`. */
  withdraw(amount: bigint, options: FundingOptions = {}): Promise<bigint> {
    return this.#funding('withdraw', amount, options);
  }

  /** Closes the channel mutually; resolves with the close tx once the node reports it on chain. */
  shutdown(options: OnChainOptions = {}): Promise<Encoded<'tx'>> {
    return this.#onChain('shutdown', 'shutdown', options);
  }

  /** Starts closing alone with the last co-signed state; the lock period follows. */
  closeSolo(options: OnChainOptions = {}): Promise<Encoded<'tx'>> {
    return this.#onChain('closeSolo', 'close_solo', options);
  }

  /** Answers a solo close with an older state by putting the last co-signed one on chain. */
  slash(options: OnChainOptions = {}): Promise<Encoded<'tx'>> {
    return this.#onChain('slash', 'slash', options);
  }

  /** Pays out the closed channel once its lock period is over. */
  settle(options: OnChainOptions = {}): Promise<Encoded<'tx'>> {
    return this.#onChain('settle', 'settle', options);
  }

  /** Puts the last co-signed off-chain state on chain without closing. */
  snapshot(options: OnChainOptions = {}): Promise<Encoded<'tx'>> {
    // The node posts a snapshot and is open again at once (its own transcripts go on with transfers
    // before it is mined): later operations do not wait for the chain.
    return this.#onChain('snapshot', 'snapshot_solo', options);
  }

  /**
   * Contract updates. The state a contract update leads to needs the node's VM, which this client
   * does not run, so it refuses to sign them (`AbortCode.UNVERIFIABLE_UPDATES`); the methods exist
   * so the requests are typed and their refusal is explicit.
   */
  createContract(params: ParamsOf<'channels.update.new_contract'>): Promise<bigint> {
    const { request, sign, completion } = OPERATIONS.createContract;
    return this.#operate(request, params, 'new contract', { kind: 'none' }, sign, completion, this.#timeouts.update);
  }

  callContract(params: ParamsOf<'channels.update.call_contract'>): Promise<bigint> {
    const { request, sign, completion } = OPERATIONS.callContract;
    return this.#operate(request, params, 'contract call', { kind: 'none' }, sign, completion, this.#timeouts.update);
  }

  forceProgress(params: ParamsOf<'channels.force_progress'>): Promise<Encoded<'tx'>> {
    const { request, sign, completion } = OPERATIONS.forceProgress;
    return this.#operate(request, params, 'forceProgress', { kind: 'none' }, sign, completion, this.#timeouts.onChain);
  }

  dryRunContractCall(params: ParamsOf<'channels.dry_run.call_contract'>): Promise<ResultOf<'channels.dry_run.call_contract'>> {
    return this.#request('channels.dry_run.call_contract', params);
  }

  getContractCall(params: ParamsOf<'channels.get.contract_call'>): Promise<ResultOf<'channels.get.contract_call'>> {
    return this.#request('channels.get.contract_call', params);
  }

  getContract(pubkey: Encoded<'ct'>): Promise<ResultOf<'channels.get.contract'>> {
    return this.#request('channels.get.contract', { pubkey });
  }

  async cleanContractCalls(): Promise<void> {
    await this.#request('channels.clean_contract_calls', {});
  }

  // ——— queries and messages ———

  /** Balances as the node has them (by default of both participants). */
  async balances(accounts: readonly Encoded<'ak'>[] = [this.terms.initiatorId, this.terms.responderId]): Promise<Map<Encoded<'ak'>, bigint>> {
    const result = await this.#request('channels.get.balances', { accounts: [...accounts] });
    return new Map(result.map(({ account, balance }) => [account, balance]));
  }

  /** The node's off-chain state; its signed tx must be co-signed and its trees must hash to that tx's state. */
  async offchainState(): Promise<NodeOffChainState> {
    const result = await this.#request('channels.get.offchain_state', {});
    const problem = checkNodeState(result, this.networkId, [this.terms.initiatorId, this.terms.responderId]);
    if (problem) throw new ChannelError(ChannelErrorKind.PROTOCOL, problem);
    return result;
  }

  /** A proof of inclusion of the last co-signed state; checked to hash to that state. */
  async poi(filter: { accounts?: readonly Encoded<'ak'>[]; contracts?: readonly Encoded<'ct'>[] } = {}): Promise<Encoded<'pi'>> {
    const accounts = [...(filter.accounts ?? [this.terms.initiatorId, this.terms.responderId])];
    const { poi } = await this.#request('channels.get.poi', { accounts, ...(filter.contracts && { contracts: [...filter.contracts] }) });
    // The node may have co-signed a round whose report is still on its way: that state is fine too.
    const hash = encode(poiHash(poi), 'st');
    const known = [this.#states.latest, roundOf(this.#core)?.next, this.#states.pending].some((s) => s !== undefined && encode(s.state.stateHash(), 'st') === hash);
    if (!known) throw new ChannelError(ChannelErrorKind.PROTOCOL, `the proof of inclusion is of no state co-signed here (round ${this.round})`);
    return poi;
  }

  /** A free-form message to the other participant. */
  async sendMessage(to: Encoded<'ak'>, info: string): Promise<void> {
    await this.#request('channels.message', { to, info });
  }

  /** Checks the node answers. */
  async ping(): Promise<void> {
    await this.#request('channels.system', { action: 'ping' });
  }

  /**
   * Stops the node's channel process (`channels.system stop`, as every recorded session of the
   * node's suite ends); it reports `died`. The channel stays as it is on chain and in the store.
   */
  async stop(): Promise<void> {
    await this.#request('channels.system', { action: 'stop' });
  }

  /**
   * Leaves the channel open on chain and ends the session; resolves with the co-signed state the
   * node hands back (already stored), from which `Channel.reestablish` resumes.
   */
  async leave(): Promise<Encoded<'tx'>> {
    this.#leaving ??= deferred();
    const leaving = this.#leaving;
    await this.#request('channels.leave', {});
    const tx = await withTimeout(leaving.promise, this.#timeouts.request, 'channels.leave');
    // Stored means durable: the release flushes what the store left unflushed.
    await this.#states.release().catch(() => undefined);
    return tx;
  }

  /**
   * Closes the WebSocket (at once, or as soon as it is connected); the channel stays as it is on
   * chain and in the store. Resolves once the record is free for another instance of this party
   * (the writes under way done, the lock released), e.g. to reestablish elsewhere.
   */
  disconnect(): Promise<void> {
    const released = this.#states.release().catch(() => undefined);
    this.#hangUp = true;
    if (this.#transport) this.#transport.close();
    else if (this.#core.kind === 'reconnecting') this.#inbox.enqueue(() => this.#dispatch({ type: 'socket_closed', error: new ChannelError(ChannelErrorKind.DISCONNECTED, 'disconnected while reconnecting') }));
    else this.#connected.promise.then((transport) => transport.close(), () => undefined);
    return released;
  }

  #request<M extends ClientMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return this.#session.request(method, params, { timeoutMs: this.#timeouts.request });
  }

  /** A deposit or withdrawal: a new round once its tx is locked on chain. */
  #funding(operation: 'deposit' | 'withdraw', amount: bigint, options: FundingOptions): Promise<bigint> {
    const { request, sign, completion } = OPERATIONS[operation];
    return this.#operate(request, { amount, ...onChainParams(options) }, `${operation} of ${amount}`, { kind: operation, amount, options }, sign, completion, this.#timeouts.onChain);
  }

  /** An on-chain operation of the catalogue's, with the options the caller gave; the signed tx must carry them. */
  #onChain(operation: 'shutdown' | 'closeSolo' | 'slash' | 'settle' | 'snapshot', kind: Exclude<OnChainExpectation['kind'], 'deposit' | 'withdraw' | 'create'>, options: OnChainOptions): Promise<Encoded<'tx'>> {
    const { request, sign, completion } = OPERATIONS[operation];
    return this.#operate(request, onChainParams(options), operation, { kind, options }, sign, completion, this.#timeouts.onChain);
  }

  #operate<T, M extends ClientMethod = ClientMethod>(method: M, params: ParamsOf<M>, label: string, expectation: Expectation, signMethod: SignRequestMethod, completion: Completion, timeoutMs: number, supersede = false): Promise<T> {
    if (isTerminal(this.status)) return Promise.reject(new ChannelError(ChannelErrorKind.NOT_ALLOWED, `${label}: the channel is ${this.status}`));
    const start = (onResult: (seq: number) => void): Promise<unknown> =>
      this.#session.request(method, params, { timeoutMs, onResult });
    const promise = this.#ops.add<T>({ label, start, signMethod, expectation, completion, ...(supersede && { supersede }) }, timeoutMs);
    this.#pump();
    return promise;
  }

  /**
   * Starts the next own operation when nothing is in flight: never two at once, never during a
   * signing round, unless it supersedes the peer's request (core/state.ts `mayStart`).
   */
  #pump(): void {
    const next = this.#ops.next;
    if (this.#inbox.busy || next === undefined) return;
    const move = mayStart(this.#core, next);
    if (move === 'wait') return;
    if (move === 'supersede') void this.#dispatch({ type: 'supersede' });
    const op = this.#ops.takeNext();
    if (!op) return;
    op.start((seq) => {
      op.okSeq = seq;
    }).catch((error: ChannelError) => this.#inbox.enqueue(() => this.#dispatch({ type: 'start_failed', op, error })));
  }

  // ——— the core: events in, effects out ———

  /** Moves the core and runs the effects, in order; a store write is awaited before the next effect. */
  async #dispatch(event: CoreEvent): Promise<void> {
    const before = this.#core;
    const [after, effects] = step(before, event);
    this.#core = after;
    const [was, now] = [statusOf(before), statusOf(after)];
    if (was !== now) this.#events.emit('status', now, was);
    // The session is over, or we left: the record is free. A peer that saw us leave (a responder
    // kept running) goes on, and keeps writing under its lock.
    const over = after.kind === 'terminal' && before.kind !== 'terminal';
    if (over || (now === 'left' && was !== 'left' && this.#leaving !== undefined)) void this.#states.release();
    for (const effect of effects) await this.#run(effect);
  }

  async #run(effect: Effect): Promise<void> {
    switch (effect.type) {
      case 'ask_signer':
        return this.#askSigner(effect.seq);
      case 'abort_signer':
        return this.#signer.end(effect.seq);
      case 'reply':
        this.#session
          .request(SIGN_REPLY_METHODS[effect.method], effect.reply, { timeoutMs: this.#timeouts.request })
          .catch((error: ChannelError) => this.#inbox.enqueue(() => this.#events.emit('error', error)));
        return;
      case 'save': {
        let failed = false;
        try {
          await this.#states.save(effect.state);
        } catch (e) {
          this.#events.emit('error', e as ChannelError);
          failed = true;
        }
        return this.#dispatch({ type: 'stored', seq: effect.seq, failed });
      }
      case 'drop_pending': {
        const kept = await this.#states.dropPending(effect.sent);
        if (kept === undefined) return;
        this.#events.emit('error', new ChannelError(ChannelErrorKind.PROTOCOL, `the node fell back from round ${kept.round}, which both participants signed: it is kept as the latest co-signed state`));
        return this.#dispatch({ type: 'co_signed', state: kept, fresh: true });
      }
      case 'found':
        this.#channelId = effect.channelId;
        return;
      case 'signed':
        effect.op.phase = 'signed';
        return;
      case 'release':
        return this.#ops.release(effect.op, effect.tx);
      case 'settle':
        return this.#ops.settle(effect.op, effect.outcome);
      case 'fail_all':
        return this.#ops.failAll(effect.error);
      case 'reconnect':
        void this.#reconnects?.start(effect.error);
        return;
      case 'requeue':
        return this.#ops.requeue(effect.op);
      case 'emit_state':
        return this.#events.emit('state', effect.state, effect.own);
      case 'emit_conflict':
        return this.#events.emit('conflict', effect.conflict);
      case 'emit_refused':
        return this.#events.emit('refused', effect.error);
      case 'emit_error':
        return this.#events.emit('error', effect.error);
      case 'ready': {
        this.#ready.resolve();
        this.#wasOpen = true;
        const attempts = this.#reconnects?.done() ?? 0;
        if (attempts > 0) this.#events.emit('reconnected', { attempts });
        return;
      }
      case 'ended':
        this.#reconnects?.done();
        this.#questions.clear();
        this.#ready.reject(effect.error);
        this.#leaving?.reject(effect.error);
        return;
      case 'left':
        this.#leaving?.resolve(effect.tx);
        return;
    }
  }

  /** The signer works beside the inbox; its answer is handled in turn like a node message. */
  #askSigner(seq: number): void {
    const question = this.#questions.get(seq);
    this.#questions.delete(seq);
    if (!question) return;
    this.#signer.ask(seq, question, this.#view(), (answer) => this.#inbox.enqueue(() => this.#dispatch({ type: 'signer_answer', seq, answer })));
  }

  // ——— the ordered handling of what the node sends ———

  async #onNotification(message: NodeNotification, seq: number): Promise<void> {
    if (isSignRequestMethod(message.method)) return this.#onSignRequest(message.method, message.params.data as SignRequest, seq);
    switch (message.method) {
      case 'channels.info':
        return this.#onInfo(message.params.data as ChannelInfo);
      case 'channels.on_chain_tx':
        return this.#onOnChainTx(message.params.data as OnChainTx);
      case 'channels.conflict':
        return this.#dispatch({ type: 'conflict', seq, conflict: message.params.data as Conflict, current: this.#ops.current });
      case 'channels.update':
        return this.#onUpdate((message.params.data as { state: Encoded<'tx'> }).state);
      case 'channels.leave':
        return this.#onLeave((message.params.data as { state: Encoded<'tx'> }).state);
      case 'channels.message': {
        const { from, to, info } = (message.params.data as { message: { from: Encoded<'ak'>; to: Encoded<'ak'>; info: string } }).message;
        return this.#events.emit('message', { from, to, info });
      }
      case 'channels.error':
        // The node refused a signed tx of ours (bad_signature, wrong_round, …); the conflict that
        // follows settles the operation, this says why. While opening nothing follows: it is fatal.
        return this.#fatal(new NodeReportError((message.params.data as { message: string }).message, 'the node refused a signed tx'));
      default:
        // Replies sent as notifications (`….reply`, pong): this client always asks with an id.
        return;
    }
  }

  /** Checks a sign request; the core opens its round, and asks the signer or refuses. */
  #onSignRequest(method: SignRequestMethod, data: SignRequest, seq: number): Promise<void> {
    const peer = isPeerProposal(method);
    if (peer) this.#events.emit('proposal', { method, tx: data.signed_tx, updates: data.updates });
    const op = servedOperation(method, this.#ops.current);
    const { verdict, question } = judgeRequest(method, data, op, this.#view());
    if (question) this.#questions.set(seq, question);
    return this.#dispatch({ type: 'sign_request', seq, method, peer, op, verdict });
  }

  #onInvalid(error: ChannelError, raw: RpcError | undefined, seq: number): Promise<void> | void {
    const method = raw?.method;
    if (method !== undefined && isSignRequestMethod(method)) {
      // A sign request we cannot even read is still a sign request: it gets its refusal, not silence.
      this.#events.emit('error', error);
      const op = servedOperation(method, this.#ops.current);
      return this.#dispatch({ type: 'sign_request', seq, method, peer: isPeerProposal(method), op, verdict: { ok: false, code: AbortCode.MALFORMED_TX, reason: error.message } });
    }
    // `channels.error` is how the node says why it failed a signed tx (a conflict follows).
    const request = raw?.request as { params?: { data?: { message?: unknown } } } | undefined;
    if (method === 'channels.error') return this.#fatal(new NodeReportError(String(request?.params?.data?.message), 'the node refused a signed tx'));
    // An error reply to no call is the node refusing the connection (1011 "Participant not found").
    if (error instanceof RpcRequestError) return this.#fatal(error);
    this.#events.emit('error', error);
  }

  /** A failure the node reported: an 'error' event, and while opening `opened` rejects with it now, not at `timeouts.open`. */
  #fatal(error: ChannelError): Promise<void> {
    this.#events.emit('error', error);
    return this.#dispatch({ type: 'fatal', error });
  }

  #view(): ChannelView {
    const session = sessionOf(this.#core);
    const canSlash = session?.canSlash === true;
    const onChainRound = session?.onChainRound;
    const { role, networkId, terms } = this;
    const opening = this.#opening;
    return { role, networkId, terms, channelId: this.#channelId, latest: this.#states.latest, policy: this.#policy, ...(opening && { opening }), ...(canSlash && { canSlash }), ...(onChainRound !== undefined && { onChainRound }) };
  }

  async #onInfo(info: ChannelInfo): Promise<void> {
    this.#events.emit('info', info);
    switch (info.event) {
      case 'fsm_up': {
        // The same id as stored: the client came back to the FSM that kept running, which says
        // nothing more; a new id is a new FSM, and the next reestablish will need it.
        const back = this.#core.kind === 'reconnecting';
        const resumed = (this.#resuming || back) && info.fsm_id === this.#fsmId;
        const changed = info.fsm_id !== this.#fsmId;
        this.#fsmId = info.fsm_id;
        if (changed && this.#states.latest) await this.#states.saveOrReport(this.#states.pending);
        // Back before the channel opened (sc_ws_reconnect_early) there is no state to sync yet:
        // the node goes on with the opening, and reports the co-signed create tx when open.
        // Back after a lost socket, the round it left open is settled first (core/step.ts `resume`).
        if (back || (resumed && this.#states.latest)) {
          await this.#dispatch({ type: 'resumed', current: this.#ops.current, sameFsm: resumed });
          if (resumed) await this.#syncWithRunningFsm();
        }
        return;
      }
      case 'open':
      case 'closing':
      case 'closed_confirmed':
      case 'died':
        return this.#dispatch({ type: 'info', event: info.event });
      case 'aborted_update':
        return this.#dispatch({ type: 'aborted_update' });
      case 'timeout':
        return this.#fatal(new NodeReportError('timeout', "the node's channel process ended"));
      default:
        return;
    }
  }

  async #onOnChainTx(tx: OnChainTx): Promise<void> {
    this.#events.emit('onChainTx', tx);
    // A snapshot released its signing round once signed; its tx on chain settles it.
    const released = this.#ops.releasedWith(tx.tx);
    if (released) this.#ops.settle(released, { value: tx.tx });
    const account = this.role === 'initiator' ? this.terms.initiatorId : this.terms.responderId;
    const snapshotRound = includedSnapshotRound(tx, { channelId: this.#channelId, networkId: this.networkId, account, parties: [this.terms.initiatorId, this.terms.responderId], latest: this.#states.latest });
    await this.#dispatch({ type: 'on_chain', tx: tx.tx, txType: tx.type, info: tx.info, ...(snapshotRound !== undefined && { snapshotRound }) });
    if (tx.info === 'can_slash' && this.#autoSlash) {
      this.slash().catch((error: ChannelError) => this.#events.emit('error', error));
    }
  }

  /** A co-signed state from the node: adopted once both signatures check and we know its balances. */
  async #onUpdate(tx: Encoded<'tx'>, node?: NodeOffChainState): Promise<void> {
    const adopted = await this.#states.adopt(tx, roundOf(this.#core), node);
    if (adopted) await this.#dispatch({ type: 'co_signed', state: adopted.state, fresh: adopted.fresh });
  }

  async #onLeave(tx: Encoded<'tx'>): Promise<void> {
    const adopted = await this.#states.adopt(tx, roundOf(this.#core));
    if (adopted === undefined) {
      this.#leaving?.reject(new ChannelError(ChannelErrorKind.PROTOCOL, 'the node left with a state that does not check'));
      return;
    }
    return this.#dispatch({ type: 'left', tx: adopted.state.tx });
  }

  /** Back with an FSM that kept running: its latest co-signed state is where we stand. */
  async #syncWithRunningFsm(): Promise<void> {
    let node: NodeOffChainState;
    try {
      node = await this.#request('channels.get.offchain_state', {});
    } catch (e) {
      this.#events.emit('error', e as ChannelError);
      // Not open until synced: a reconnected channel tries again on a new socket.
      if (this.#wasOpen) this.#transport?.close();
      return;
    }
    await this.#onUpdate(node.signed_tx, node);
    await this.#dispatch({ type: 'synced', ...(node.half_signed_tx !== '' && { halfSigned: node.half_signed_tx }) });
  }

  #onClose(code: number, reason: string): void {
    const error = new ChannelError(ChannelErrorKind.DISCONNECTED, `the WebSocket closed (code ${code}${reason ? `: ${reason}` : ''})`);
    this.#transport = undefined;
    // What waited for a socket being opened was for that socket: its requests fail with the session.
    this.#outbox.length = 0;
    this.#session.close(error);
    this.#ready.reject(error);
    const lost = this.#reconnects !== undefined && this.#wasOpen && !this.#hangUp;
    // Messages that arrived before the close are handled first: they may complete an operation.
    this.#inbox.enqueue(() => this.#dispatch({ type: lost ? 'socket_lost' : 'socket_closed', error }));
  }
}
