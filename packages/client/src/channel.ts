/**
 * `Channel`: one participant's side of a state channel, driven through its node's WebSocket API.
 *
 * Everything the node sends is handled one message at a time, in arrival order (the node's reports
 * are ordered, and conflicts are attributed by that order; see signing-round.ts). A handler may
 * wait for the signer or the store before the next message is looked at. Replies to requests are
 * matched by the RPC session as they arrive and never wait behind that queue.
 */
import { encode, poiHash, type Encoded } from '@ch/codec';
import {
  conflictMessage,
  isValidAbortCode,
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
  type SignReply,
  type SignRequest,
  type SignRequestMethod,
} from '@ch/rpc';
import type { ChannelEvents } from './channel-events.js';
import {
  checkSignerResult,
  checkSignRequest,
  isPeerProposal,
  myAccount,
  peerAccount,
  sameTransaction,
  signedBy,
  type ChannelTerms,
  type ChannelView,
  type CoSignedState,
  type Expectation,
  type Verified,
} from './checks.js';
import { deferred, withTimeout, type Deferred } from './deadlines.js';
import { Emitter, type Listener } from './emitter.js';
import { AbortCode, ChannelError, ChannelErrorKind, ConflictError, RefusedError } from './errors.js';
import { checkNodeState, stateFromTrees } from './node-state.js';
import { OperationQueue, type Completion } from './operations.js';
import { DEFAULT_TIMEOUTS, type OpenOptions, type ReestablishOptions, type Timeouts } from './options.js';
import { openQuery, reestablishQuery, withQuery } from './query.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { RpcSession } from './rpc-session.js';
import { isBuiltInSigner, type Role, type SignContext, type Signer, type SignOutcome } from './signer.js';
import { conflictVictims, type SigningRound } from './signing-round.js';
import { isTerminal, StatusMachine, type ChannelStatus } from './state-machine.js';
import { fromStored, recordOf } from './store/record.js';
import { MemoryStore, type ChannelRecord, type ChannelStore } from './store/store.js';
import { connectWebSocket, type Transport, type TransportFactory } from './transport.js';

type Task = () => Promise<void> | void;

/** Sign requests of this client's own operations that the node may also make unasked. */
const UNASKED_OWN: ReadonlySet<SignRequestMethod> = new Set(['channels.sign.slash_tx']);

interface ChannelInit {
  readonly role: Role;
  readonly networkId: string;
  readonly terms: ChannelTerms;
  readonly signer: Signer;
  readonly store: ChannelStore;
  readonly timeouts: Timeouts;
  readonly retry: RetryPolicy | undefined;
  readonly autoSlash: boolean;
  readonly record?: ChannelRecord;
}

export class Channel {
  readonly role: Role;
  readonly networkId: string;
  readonly terms: ChannelTerms;
  readonly #signer: Signer;
  readonly #store: ChannelStore;
  readonly #timeouts: Timeouts;
  readonly #retry: RetryPolicy | undefined;
  readonly #autoSlash: boolean;
  readonly #events: Emitter<ChannelEvents>;
  readonly #status: StatusMachine;
  readonly #session: RpcSession;
  readonly #ops = new OperationQueue(() => this.#pump());
  readonly #ready = deferred<void>();
  readonly #inbox: Task[] = [];
  #draining = false;
  #transport: Transport | undefined;
  /** What was sent while the socket was opening: the node may speak (and be answered) before the transport is handed over. */
  readonly #outbox: string[] = [];
  #channelId: Encoded<'ch'> | undefined;
  #fsmId: Encoded<'ba'> | undefined;
  /** The last co-signed state the node confirmed. */
  #latest: CoSignedState | undefined;
  /** A newer state we signed and sent, until the node confirms it or falls back. */
  #pending: CoSignedState | undefined;
  #round: SigningRound | undefined;
  #openSeen = false;
  #closing = false;
  /** The node handed back the state to keep (`channels.leave`); its FSM may still end or keep running. */
  #left = false;
  #leaving: Deferred<Encoded<'tx'>> | undefined;
  /** Constructed from a stored record to reestablish. */
  readonly #resuming: boolean;

  private constructor(init: ChannelInit) {
    this.role = init.role;
    this.networkId = init.networkId;
    this.terms = init.terms;
    this.#signer = init.signer;
    this.#store = init.store;
    this.#timeouts = init.timeouts;
    this.#retry = init.retry;
    this.#autoSlash = init.autoSlash;
    this.#events = new Emitter<ChannelEvents>((error, event) => {
      if (event !== 'error') this.#events.emit('error', new ChannelError(ChannelErrorKind.LISTENER, `a listener of "${String(event)}" threw`, { cause: error }));
    });
    this.#status = new StatusMachine('connecting', (status, previous) => this.#events.emit('status', status, previous));
    this.#session = new RpcSession((text) => (this.#transport ? this.#transport.send(text) : this.#outbox.push(text)), {
      onNotification: (message, seq) => this.#enqueue(() => this.#onNotification(message, seq)),
      onInvalid: (error, raw, seq) => this.#enqueue(() => this.#onInvalid(error, raw, seq)),
    });
    this.#resuming = init.record !== undefined;
    if (init.record) {
      this.#channelId = init.record.channelId;
      this.#fsmId = init.record.fsmId;
      this.#latest = fromStored(init.record.state);
      this.#pending = init.record.pending && fromStored(init.record.pending);
    }
  }

  /** Opens a new channel; resolves once it is open (funding locked on chain and round 1 co-signed). */
  static async open(options: OpenOptions): Promise<Channel> {
    const terms: ChannelTerms = {
      initiatorId: options.initiatorId,
      responderId: options.responderId,
      initiatorAmount: options.initiatorAmount,
      responderAmount: options.responderAmount,
      pushAmount: options.pushAmount ?? 0n,
      channelReserve: options.channelReserve,
      lockPeriod: options.lockPeriod,
    };
    const channel = new Channel({ ...Channel.#common(options), role: options.role, networkId: options.networkId, terms });
    await channel.#connect(options.transport, withQuery(options.url, openQuery(options.role, terms, options)), 'awaiting_open');
    return channel;
  }

  /** Resumes a channel from the last co-signed state in `store`; resolves once the node reports it open. */
  static async reestablish(options: ReestablishOptions): Promise<Channel> {
    const record = await options.store.load(options.channelId);
    if (!record) throw new ChannelError(ChannelErrorKind.NOT_ALLOWED, `the store has no record of ${options.channelId}`);
    if (options.networkId !== undefined && options.networkId !== record.networkId) {
      throw new ChannelError(ChannelErrorKind.NOT_ALLOWED, `the record is for network ${record.networkId}, not ${options.networkId}`);
    }
    const channel = new Channel({ ...Channel.#common(options), role: record.role, networkId: record.networkId, terms: record.terms, record });
    // A pending state both signed is newer than the confirmed one; one only we signed is not a state yet.
    const both = [record.terms.initiatorId, record.terms.responderId];
    const offChainTx = record.pending && signedBy(record.pending.tx, record.networkId, both) ? record.pending.tx : record.state.tx;
    const query = reestablishQuery(record.role, record.channelId, offChainTx, record.fsmId, options);
    await channel.#connect(options.transport, withQuery(options.url, query), 'reestablishing');
    return channel;
  }

  static #common(options: OpenOptions | ReestablishOptions): Omit<ChannelInit, 'role' | 'networkId' | 'terms'> {
    return {
      signer: options.signer,
      store: options.store ?? new MemoryStore(),
      timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
      retry: options.retry,
      autoSlash: options.autoSlash ?? true,
    };
  }

  async #connect(factory: TransportFactory | undefined, url: string, next: ChannelStatus): Promise<void> {
    try {
      this.#transport = await (factory ?? connectWebSocket)(
        url,
        { onMessage: (text) => this.#session.receive(text), onClose: (code, reason) => this.#onClose(code, reason) },
        this.#timeouts.connect,
      );
    } catch (e) {
      this.#status.move('disconnected');
      throw e;
    }
    for (const text of this.#outbox.splice(0)) this.#transport.send(text);
    this.#status.move(next);
    try {
      await withTimeout(this.#ready.promise, this.#timeouts.open, 'opening the channel');
    } catch (e) {
      this.disconnect();
      throw e;
    }
  }

  // ——— state ———

  get status(): ChannelStatus {
    return this.#status.status;
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
    return this.#latest?.round ?? 0n;
  }

  /** The last co-signed state: tx, round and balances. */
  get state(): CoSignedState | undefined {
    return this.#latest;
  }

  /** An account's balance in the last co-signed state, computed locally. */
  balanceOf(account: Encoded<'ak'>): bigint | undefined {
    return this.#latest?.state.balanceOf(account);
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
  transfer(from: Encoded<'ak'>, to: Encoded<'ak'>, amount: bigint, options: { meta?: readonly string[] } = {}): Promise<bigint> {
    const meta = options.meta ?? [];
    const params: ParamsOf<'channels.update.new'> = { from, to, amount, ...(meta.length > 0 && { meta: [...meta] }) };
    const updates = [{ op: 'OffChainTransfer' as const, from, to, amount }, ...meta.map((data) => ({ op: 'OffChainMeta' as const, data }))];
    return withRetry(this.#retry, () =>
      this.#operate<bigint>('channels.update.new', params, `transfer of ${amount}`, { kind: 'update', updates }, 'channels.sign.update', { kind: 'round' }, this.#timeouts.update),
    );
  }

  /** Deposits `amount` from this participant's account; resolves with the new round once locked on chain. */
  deposit(amount: bigint, options: { fee?: bigint } = {}): Promise<bigint> {
    return this.#operate('channels.deposit', { amount, ...options }, `deposit of ${amount}`, { kind: 'deposit', amount }, 'channels.sign.deposit_tx', { kind: 'round' }, this.#timeouts.onChain);
  }

  /** Withdraws `amount` to this participant's account; resolves with the new round once locked on chain. */
  withdraw(amount: bigint, options: { fee?: bigint } = {}): Promise<bigint> {
    return this.#operate('channels.withdraw', { amount, ...options }, `withdrawal of ${amount}`, { kind: 'withdraw', amount }, 'channels.sign.withdraw_tx', { kind: 'round' }, this.#timeouts.onChain);
  }

  /** Closes the channel mutually; resolves with the close tx once the node reports it on chain. */
  shutdown(options: { fee?: bigint } = {}): Promise<Encoded<'tx'>> {
    return this.#onChain('channels.shutdown', options, 'shutdown', 'channels.sign.shutdown_sign', 'channel_close_mutual_tx');
  }

  /** Starts closing alone with the last co-signed state; the lock period follows. */
  closeSolo(options: { fee?: bigint } = {}): Promise<Encoded<'tx'>> {
    return this.#onChain('channels.close_solo', options, 'close solo', 'channels.sign.close_solo_sign', 'channel_close_solo_tx');
  }

  /** Answers a solo close with an older state by putting the last co-signed one on chain. */
  slash(options: { fee?: bigint } = {}): Promise<Encoded<'tx'>> {
    return this.#onChain('channels.slash', options, 'slash', 'channels.sign.slash_tx', 'channel_slash_tx');
  }

  /** Pays out the closed channel once its lock period is over. */
  settle(options: { fee?: bigint } = {}): Promise<Encoded<'tx'>> {
    return this.#onChain('channels.settle', options, 'settle', 'channels.sign.settle_sign', 'channel_settle_tx');
  }

  /** Puts the last co-signed off-chain state on chain without closing. */
  snapshot(options: { fee?: bigint } = {}): Promise<Encoded<'tx'>> {
    return this.#onChain('channels.snapshot_solo', options, 'snapshot', 'channels.sign.snapshot_solo_tx', 'channel_snapshot_solo_tx');
  }

  /**
   * Contract updates. The state a contract update leads to needs the node's VM, which this client
   * does not run, so it refuses to sign them (`AbortCode.UNVERIFIABLE_UPDATES`); the methods exist
   * so the requests are typed and their refusal is explicit.
   */
  createContract(params: ParamsOf<'channels.update.new_contract'>): Promise<bigint> {
    return this.#operate('channels.update.new_contract', params, 'new contract', { kind: 'none' }, 'channels.sign.update', { kind: 'round' }, this.#timeouts.update);
  }

  callContract(params: ParamsOf<'channels.update.call_contract'>): Promise<bigint> {
    return this.#operate('channels.update.call_contract', params, 'contract call', { kind: 'none' }, 'channels.sign.update', { kind: 'round' }, this.#timeouts.update);
  }

  forceProgress(params: ParamsOf<'channels.force_progress'>): Promise<Encoded<'tx'>> {
    return this.#onChain('channels.force_progress', params, 'force progress', 'channels.sign.force_progress_tx', 'channel_force_progress_tx');
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
    const known = [this.#latest, this.#round?.next, this.#pending].some((s) => s !== undefined && encode(s.state.stateHash(), 'st') === hash);
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
   * Leaves the channel open on chain and ends the session; resolves with the co-signed state the
   * node hands back (already stored), from which `Channel.reestablish` resumes.
   */
  async leave(): Promise<Encoded<'tx'>> {
    this.#leaving ??= deferred();
    const leaving = this.#leaving;
    await this.#request('channels.leave', {});
    return withTimeout(leaving.promise, this.#timeouts.request, 'channels.leave');
  }

  /** Closes the WebSocket; the channel stays as it is on chain and in the store. */
  disconnect(): void {
    this.#transport?.close();
  }

  #request<M extends ClientMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return this.#session.request(method, params, { timeoutMs: this.#timeouts.request });
  }

  #onChain<M extends ClientMethod>(method: M, params: ParamsOf<M>, label: string, signMethod: SignRequestMethod, txType: Extract<Completion, { kind: 'on_chain' }>['txType']): Promise<Encoded<'tx'>> {
    return this.#operate(method, params, label, { kind: 'none' }, signMethod, { kind: 'on_chain', txType }, this.#timeouts.onChain);
  }

  #operate<T, M extends ClientMethod = ClientMethod>(method: M, params: ParamsOf<M>, label: string, expectation: Expectation, signMethod: SignRequestMethod, completion: Completion, timeoutMs: number): Promise<T> {
    if (isTerminal(this.status)) return Promise.reject(new ChannelError(ChannelErrorKind.NOT_ALLOWED, `${label}: the channel is ${this.status}`));
    const start = (onResult: (seq: number) => void): Promise<unknown> =>
      this.#session.request(method, params, { timeoutMs, onResult });
    const promise = this.#ops.add<T>({ label, start, signMethod, expectation, completion }, timeoutMs);
    this.#pump();
    return promise;
  }

  /** Starts the next own operation when nothing is in flight: never two at once, never during a signing round. */
  #pump(): void {
    if (this.#draining || this.#inbox.length > 0 || this.#round !== undefined) return;
    if (this.status !== 'open' && this.status !== 'closing') return;
    const op = this.#ops.takeNext();
    if (!op) return;
    op.start((seq) => {
      op.okSeq = seq;
    }).catch((error: ChannelError) => this.#enqueue(() => this.#ops.settle(op, { error })));
  }

  // ——— the ordered handling of what the node sends ———

  #enqueue(task: Task): void {
    this.#inbox.push(task);
    if (!this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    while (this.#inbox.length > 0) {
      const task = this.#inbox.shift()!;
      try {
        await task();
      } catch (e) {
        this.#events.emit('error', e instanceof ChannelError ? e : new ChannelError(ChannelErrorKind.PROTOCOL, `handling a node message failed: ${(e as Error).message}`, { cause: e }));
      }
    }
    this.#draining = false;
    this.#pump();
  }

  async #onNotification(message: NodeNotification, seq: number): Promise<void> {
    if (message.method in SIGN_REPLY_METHODS) {
      return this.#onSignRequest(message.method as SignRequestMethod, message.params.data as SignRequest, seq);
    }
    switch (message.method) {
      case 'channels.info':
        return this.#onInfo(message.params.data as ChannelInfo);
      case 'channels.on_chain_tx':
        return this.#onOnChainTx(message.params.data as OnChainTx);
      case 'channels.conflict':
        return this.#onConflict(message.params.data as Conflict, seq);
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
        // follows settles the operation, this says why.
        return this.#events.emit('error', new ChannelError(ChannelErrorKind.RPC, `the node refused a signed tx: ${(message.params.data as { message: string }).message}`));
      default:
        // Replies sent as notifications (`….reply`, pong): this client always asks with an id.
        return;
    }
  }

  #onInvalid(error: ChannelError, raw: RpcError | undefined, seq: number): void {
    const method = raw?.method;
    // A sign request we cannot even read is still a sign request: it gets its refusal, not silence.
    if (method !== undefined && method in SIGN_REPLY_METHODS) {
      const round = this.#openRound(method as SignRequestMethod, seq);
      this.#events.emit('error', error);
      return this.#refuse(round, AbortCode.MALFORMED_TX, error.message);
    }
    // `channels.error` is how the node says why it failed a signed tx (a conflict follows).
    const request = raw?.request as { params?: { data?: { message?: unknown } } } | undefined;
    if (method === 'channels.error') {
      return this.#events.emit('error', new ChannelError(ChannelErrorKind.PROTOCOL, `the node reports: ${String(request?.params?.data?.message)}`));
    }
    this.#events.emit('error', error);
  }

  #view(): ChannelView {
    return { role: this.role, networkId: this.networkId, terms: this.terms, channelId: this.#channelId, latest: this.#latest };
  }

  /** A sign request opens the node's next signing round; one still open has ended unannounced. */
  #openRound(method: SignRequestMethod, seq: number): SigningRound {
    if (this.#round) this.#abandonRound(this.#round, `the node sent ${method} before ending the previous signing round`);
    const peer = isPeerProposal(method);
    const current = this.#ops.current;
    const op = !peer && current?.phase === 'requested' && current.signMethod === method ? current : undefined;
    const round: SigningRound = { seq, method, peer, op };
    this.#round = round;
    this.#status.move('signing');
    return round;
  }

  async #onSignRequest(method: SignRequestMethod, data: SignRequest, seq: number): Promise<void> {
    const round = this.#openRound(method, seq);
    const { peer, op } = round;
    if (peer) this.#events.emit('proposal', { method, tx: data.signed_tx, updates: data.updates });

    if (!this.#expects(round)) return this.#refuse(round, AbortCode.UNEXPECTED_REQUEST, `${method} for nothing this client asked for`);
    const check = checkSignRequest(method, this.#view(), data.signed_tx, data.updates, op?.expectation ?? { kind: 'none' });
    if (!check.ok) return this.#refuse(round, check.code, check.reason);
    const { inner, next, channelId } = check.value;

    const context: SignContext = { method, role: this.role, networkId: this.networkId, channelId: channelId ?? this.#channelId, tx: inner, updates: data.updates, own: !peer };
    const outcome = await this.#callSigner(data.signed_tx, context);
    if (typeof outcome !== 'string') {
      if ('reason' in outcome) return this.#refuse(round, outcome.abort, outcome.reason);
      if (isValidAbortCode(outcome.abort)) return this.#refuse(round, outcome.abort);
      return this.#refuse(round, AbortCode.SIGNER_FAILED, `the signer's abort code ${String(outcome.abort)} is not in 1..65535`);
    }
    // The check verified the peer's signature on its proposals; only ours is left to verify.
    const request: Verified = { tx: data.signed_tx, signers: peer ? [peerAccount(this)] : [] };
    const problem = checkSignerResult(request, outcome, this.networkId, myAccount(this), isBuiltInSigner(this.#signer));
    if (problem) return this.#refuse(round, AbortCode.SIGNER_FAILED, problem);
    round.verified = { tx: outcome, signers: [...request.signers, myAccount(this)] };

    if (channelId) this.#channelId = channelId;
    if (next) {
      round.next = { ...next, tx: outcome };
      // The record comes first: a signature that completes a state is never sent unrecorded.
      try {
        await this.#save(round.next);
      } catch (e) {
        this.#events.emit('error', e as ChannelError);
        return this.#refuse(round, AbortCode.STORE_FAILED, 'the store could not record the state this signature completes');
      }
    }
    if (op) op.phase = 'signed';
    this.#replyToSign(method, { signed_tx: outcome });
    this.#status.move(channelId ? 'awaiting_locked' : 'awaiting_ack');
  }

  /** Whether this client can accept the round's sign request at all. */
  #expects(round: SigningRound): boolean {
    if (round.peer || round.op) return true;
    // The create tx, once: the initiator signs first, the responder co-signs.
    if (round.method === 'channels.sign.initiator_sign') return this.role === 'initiator' && this.#latest === undefined;
    if (round.method === 'channels.sign.responder_sign') return this.role === 'responder' && this.#latest === undefined;
    return UNASKED_OWN.has(round.method);
  }

  async #callSigner(tx: Encoded<'tx'>, context: SignContext): Promise<SignOutcome | { abort: AbortCode; reason: string }> {
    try {
      return await withTimeout(Promise.resolve(this.#signer.sign(tx, context)), this.#timeouts.sign, 'the signer');
    } catch (e) {
      return { abort: AbortCode.SIGNER_FAILED, reason: `the signer failed: ${(e as Error).message}` };
    }
  }

  /** Answers the sign request with an abort code; the node ends the round (conflict or `aborted_update`). */
  #refuse(round: SigningRound, code: number, reason?: string): void {
    const error = reason === undefined ? undefined : new RefusedError(round.method, code, reason);
    round.refusal = { code, ...(error && { error }) };
    if (error) this.#events.emit('refused', error);
    this.#replyToSign(round.method, { error: code });
  }

  #replyToSign(method: SignRequestMethod, reply: SignReply): void {
    this.#session
      .request(SIGN_REPLY_METHODS[method], reply, { timeoutMs: this.#timeouts.request })
      .catch((error: ChannelError) => this.#enqueue(() => this.#events.emit('error', error)));
  }

  /** Ends the open signing round; the channel is back at its last co-signed state. */
  #endRound(round: SigningRound): void {
    if (this.#round !== round) return;
    this.#round = undefined;
    this.#status.move(this.#closing ? 'closing' : 'open');
  }

  /** The node moved on without ending the round: whatever it was for has failed. */
  #abandonRound(round: SigningRound, why: string): void {
    this.#endRound(round);
    const error = new ChannelError(ChannelErrorKind.PROTOCOL, why);
    if (round.op) this.#ops.settle(round.op, { error });
    this.#events.emit('error', error);
  }

  async #onConflict(data: Conflict, seq: number): Promise<void> {
    const round = this.#round;
    const victims = conflictVictims(round, this.#ops.current, seq);
    this.#events.emit('conflict', { round: data.round, code: data.error_code, message: data.error_msg, stray: round === undefined });
    if (this.#latest && data.round !== this.#latest.round) {
      this.#events.emit('error', new ChannelError(ChannelErrorKind.PROTOCOL, `the node fell back to round ${data.round}, but the last co-signed round here is ${this.#latest.round}`));
    }
    if (!round) return;
    this.#endRound(round);
    await this.#dropPending();
    for (const op of victims) {
      const ours = op === round.op ? round.refusal : undefined;
      const error = ours?.error ?? new ConflictError(data.round, data.error_code, data.error_msg, ours !== undefined && ours.code === data.error_code);
      this.#ops.settle(op, { error });
    }
  }

  async #onInfo(info: ChannelInfo): Promise<void> {
    this.#events.emit('info', info);
    switch (info.event) {
      case 'fsm_up': {
        // The same id as stored: the client came back to the FSM that kept running, which says
        // nothing more; a new id is a new FSM, and the next reestablish will need it.
        const resumed = this.#resuming && info.fsm_id === this.#fsmId;
        const changed = info.fsm_id !== this.#fsmId;
        this.#fsmId = info.fsm_id;
        if (changed && this.#latest) await this.#saveOrReport(this.#pending);
        if (resumed) await this.#syncWithRunningFsm();
        return;
      }
      case 'open':
        this.#openSeen = true;
        if (!this.#round) this.#status.move('open');
        return this.#checkReady();
      case 'aborted_update':
        return this.#onAborted();
      case 'closing':
        this.#closing = true;
        if (!this.#round) this.#status.move('closing');
        return;
      case 'closed_confirmed':
        this.#status.move('closed');
        return;
      case 'died': {
        const error = new ChannelError(ChannelErrorKind.DISCONNECTED, "the node's channel process ended");
        if (!isTerminal(this.status)) this.#status.move(this.#ending());
        this.#ops.failAll(error);
        this.#ready.reject(error);
        this.#leaving?.reject(error);
        return;
      }
      default:
        return;
    }
  }

  /** `aborted_update` (nodes since late 2019): our refusal ended the round, without a conflict. */
  async #onAborted(): Promise<void> {
    const round = this.#round;
    if (!round?.refusal) {
      this.#events.emit('error', new ChannelError(ChannelErrorKind.PROTOCOL, 'aborted_update without a refused signing round'));
      return;
    }
    this.#endRound(round);
    await this.#dropPending();
    const { code, error } = round.refusal;
    if (round.op) this.#ops.settle(round.op, { error: error ?? new ConflictError(this.round, code, conflictMessage(code), true) });
  }

  #onOnChainTx(tx: OnChainTx): void {
    this.#events.emit('onChainTx', tx);
    const round = this.#round;
    const completion = round?.op?.completion;
    if (round?.op && completion?.kind === 'on_chain' && completion.txType === tx.type) {
      this.#endRound(round);
      this.#ops.settle(round.op, { value: tx.tx });
    }
    if (tx.info === 'can_slash' && this.#autoSlash) {
      this.slash().catch((error: ChannelError) => this.#events.emit('error', error));
    }
  }

  /** A co-signed state from the node: adopted once both signatures check and we know its balances. */
  async #onUpdate(tx: Encoded<'tx'>, node?: NodeOffChainState): Promise<void> {
    const adopted = await this.#adoptCoSigned(tx, node);
    // Reestablished at our last confirmed state: what we signed after it never went through.
    if (adopted && !adopted.fresh && !this.#round) await this.#dropPending();
    if (adopted?.fresh) {
      const round = this.#round;
      const ours = round?.next !== undefined && sameTransaction(round.next.tx, tx);
      if (round && ours) this.#endRound(round);
      this.#events.emit('state', adopted.state, ours && round?.peer === false);
      if (ours && round?.op?.completion.kind === 'round') this.#ops.settle(round.op, { value: adopted.state.round });
    }
    this.#checkReady();
  }

  /** Verifies a co-signed tx and makes it the latest state; undefined (and an error event) if it does not check. */
  async #adoptCoSigned(tx: Encoded<'tx'>, node?: NodeOffChainState): Promise<{ state: CoSignedState; fresh: boolean } | undefined> {
    if (!signedBy(tx, this.networkId, [this.terms.initiatorId, this.terms.responderId], this.#round?.verified)) {
      this.#events.emit('error', new ChannelError(ChannelErrorKind.PROTOCOL, 'the node reported a state that is not signed by both participants'));
      return undefined;
    }
    const latest = this.#latest;
    if (latest && sameTransaction(latest.tx, tx)) return { state: latest, fresh: false };
    const known = [this.#round?.next, this.#pending].find((s) => s !== undefined && sameTransaction(s.tx, tx));
    const next = known ? { round: known.round, tx, state: known.state } : await this.#recoverState(tx, node);
    if (next === undefined) return undefined;
    if (this.#latest && next.round <= this.#latest.round) {
      this.#events.emit('error', new ChannelError(ChannelErrorKind.PROTOCOL, `the node reported round ${next.round}, older than the co-signed round ${this.#latest.round}`));
      return undefined;
    }
    this.#latest = next;
    await this.#saveOrReport(undefined);
    return { state: next, fresh: true };
  }

  /**
   * A co-signed state this client did not see coming (after reestablishing from an older record):
   * its balances come from the node's trees, which must hash to the tx's state hash.
   */
  async #recoverState(tx: Encoded<'tx'>, node?: NodeOffChainState): Promise<CoSignedState | undefined> {
    const fail = (why: string): undefined => {
      this.#events.emit('error', new ChannelError(ChannelErrorKind.PROTOCOL, `cannot adopt the co-signed state the node reported: ${why}`));
      return undefined;
    };
    try {
      node ??= await this.#request('channels.get.offchain_state', {});
    } catch (e) {
      return fail((e as Error).message);
    }
    if (!sameTransaction(node.signed_tx, tx)) return fail("the node's current state is another one");
    const recovered = stateFromTrees(node);
    return typeof recovered === 'string' ? fail(recovered) : { ...recovered, tx };
  }

  async #onLeave(tx: Encoded<'tx'>): Promise<void> {
    const adopted = await this.#adoptCoSigned(tx);
    if (adopted === undefined) {
      this.#leaving?.reject(new ChannelError(ChannelErrorKind.PROTOCOL, 'the node left with a state that does not check'));
      return;
    }
    this.#left = true;
    this.#leaving?.resolve(adopted.state.tx);
  }

  /** Back with an FSM that kept running: its latest co-signed state is where we stand. */
  async #syncWithRunningFsm(): Promise<void> {
    let node: NodeOffChainState;
    try {
      node = await this.#request('channels.get.offchain_state', {});
    } catch (e) {
      this.#events.emit('error', e as ChannelError);
      return;
    }
    await this.#onUpdate(node.signed_tx, node);
    this.#openSeen = true;
    if (!this.#round) this.#status.move(this.#closing ? 'closing' : 'open');
    this.#checkReady();
  }

  #checkReady(): void {
    if (this.#openSeen && this.#latest && !this.#round) this.#ready.resolve();
  }

  #onClose(code: number, reason: string): void {
    const error = new ChannelError(ChannelErrorKind.DISCONNECTED, `the WebSocket closed (code ${code}${reason ? `: ${reason}` : ''})`);
    this.#session.close(error);
    this.#ready.reject(error);
    // Messages that arrived before the close are handled first: they may complete an operation.
    this.#enqueue(() => {
      this.#ops.failAll(error);
      this.#leaving?.reject(error);
      if (!isTerminal(this.status)) this.#status.move(this.#ending());
    });
  }

  /** The status a session ends in: closed on chain, left on purpose, or merely cut off. */
  #ending(): ChannelStatus {
    return this.#closing ? 'closed' : this.#left ? 'left' : 'disconnected';
  }

  // ——— persistence ———

  /** Records the latest state, and `pending` (a state we are about to sign or just signed) if given. */
  async #save(pending?: CoSignedState): Promise<void> {
    const channelId = this.#channelId;
    const state = this.#latest ?? pending;
    if (channelId !== undefined && state !== undefined) {
      const { role, networkId, terms } = this;
      await this.#store.save(recordOf({ channelId, role, networkId, terms, fsmId: this.#fsmId, state, pending }));
    }
    this.#pending = pending;
  }

  /** The node fell back: what we signed in the round is not a state to resume from. */
  async #dropPending(): Promise<void> {
    if (this.#pending !== undefined) await this.#saveOrReport(undefined);
  }

  /** Saves where a failure only needs reporting: no signature waits on it. */
  async #saveOrReport(pending: CoSignedState | undefined): Promise<void> {
    try {
      await this.#save(pending);
    } catch (e) {
      this.#events.emit('error', e as ChannelError);
    }
  }
}

