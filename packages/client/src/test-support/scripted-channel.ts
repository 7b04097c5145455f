/**
 * The scripted node's side of the seed's open channel, for tests that put txs to the client: each
 * tx kind built honestly, as @ch/node builds it (its minimum fee, the channel's parties, the last
 * co-signed balances), with every field open to forgery; and the exchanges that put them to the
 * client and report what follows (the co-signed round, the tx on chain).
 */
import {
  applyUpdates,
  closeMutualPayout,
  encode,
  generateKeyPair,
  poiFromState,
  signTx,
  Tag,
  unpackTx,
  type Encoded,
  type KeyPair,
  type OffChainState,
  type OffChainUpdate,
} from '@ch/codec';
import { fee as nodeFee } from '@ch/node';
import { SIGN_REPLY_METHODS, type ChannelTxType, type ClientMethod, type OnChainInfo, type SignRequestMethod } from '@ch/rpc';
import type { Channel } from '../channel.js';
import type { RefusedError } from '../errors.js';
import { NETWORK_ID, SEED_TERMS } from './terms.js';
import { openScripted, priced, unsigned, type ScriptedOptions, type ScriptedSession } from './scripted-node.js';
import { until } from './until.js';

export interface CoSigned {
  readonly round: bigint;
  readonly tx: Encoded<'tx'>;
  readonly state: OffChainState;
}

/** A tx to put to the client, the updates listed with it, and the state it hashes (txs that set a round). */
export interface Proposal {
  readonly tx: Encoded<'tx'>;
  readonly updates: readonly OffChainUpdate[];
  readonly state?: OffChainState;
}

/** The client's answer to a sign request: its signature, or an abort code. */
export interface SignAnswer {
  readonly signed_tx?: Encoded<'tx'>;
  readonly error?: number;
}

/** How an operation of the client's ended; never rejects. */
export type Settled<T = unknown> = { readonly value: T } | { readonly error: unknown };

/** The sign requests that carry the peer's proposal, which the node sends signed by the peer. */
const PEER_PROPOSALS: ReadonlySet<SignRequestMethod> = new Set([
  'channels.sign.responder_sign',
  'channels.sign.update_ack',
  'channels.sign.deposit_ack',
  'channels.sign.withdraw_ack',
  'channels.sign.shutdown_sign_ack',
]);

/** The names the node takes a sign reply by: the solo txs' go by `_sign` and `_tx` alike. */
function replyNames(method: SignRequestMethod): ReadonlySet<string> {
  const name = method.slice('channels.sign.'.length);
  const base = name.replace(/_(sign|tx)$/, '');
  return new Set([SIGN_REPLY_METHODS[method], `channels.${name}`, ...(base === name ? [] : [`channels.${base}_sign`, `channels.${base}_tx`])]);
}

/** The account-nonce, ttl and fee fields every on-chain channel tx has; the nonce is not checked by anyone here. */
const onChainFields = { ttl: 0n, fee: 0n, nonce: 2n } as const;

export interface OnChainForgery {
  readonly fee?: bigint;
  readonly channelId?: Encoded<'ch'>;
  /** The poster (`fromId`). */
  readonly from?: Encoded<'ak'>;
}

export interface FundingForgery extends OnChainForgery {
  /** The account the tx takes coins from (deposit) or pays (withdrawal) on chain; by default the mover. */
  readonly party?: Encoded<'ak'>;
  /** The account the listed update credits (deposit) or debits (withdrawal); the state hash follows it. */
  readonly listed?: Encoded<'ak'>;
  readonly round?: bigint;
}

export interface SoloForgery extends OnChainForgery {
  /** The co-signed state put on chain; by default the last one (none if that is on chain already); null for an empty payload. */
  readonly payload?: CoSigned | null;
  /** The signatures the payload carries instead of its co-signatures. */
  readonly signatures?: readonly Uint8Array[];
  /** The state the proof of inclusion proves, or the proof itself; by default the payload's state. */
  readonly poi?: OffChainState | Encoded<'pi'>;
}

export interface PayoutForgery extends OnChainForgery {
  /** The final amounts, from the fee and the balances; by default the node's split of the fee (close) or the balances (settle). */
  readonly payout?: (fee: bigint, initiator: bigint, responder: bigint) => readonly [bigint, bigint];
}

export interface AskOptions {
  /** The network id the peer signs its proposal for (default the channel's). */
  readonly peerNetworkId?: string;
  readonly ms?: number;
}

/** A scripted node with the seed's channel open with an initiator client: we are `i`, the peer `r`. */
export class ScriptedChannelNode {
  /** An account that is neither party's. */
  readonly third: KeyPair = generateKeyPair();
  /** Every state co-signed so far, oldest first. */
  readonly states: CoSigned[];
  /** Every `refused` event of the client. */
  readonly refusals: RefusedError[] = [];

  private constructor(readonly session: ScriptedSession) {
    this.states = [{ round: 1n, tx: session.opened.createTx, state: session.opened.state }];
    session.channel.on('refused', (e) => this.refusals.push(e));
  }

  static async open(options: ScriptedOptions = {}): Promise<ScriptedChannelNode> {
    return new ScriptedChannelNode(await openScripted(options));
  }

  get channel(): Channel {
    return this.session.channel;
  }

  get i(): KeyPair {
    return this.session.i;
  }

  get r(): KeyPair {
    return this.session.r;
  }

  get channelId(): Encoded<'ch'> {
    return this.session.opened.channelId;
  }

  get latest(): CoSigned {
    return this.states.at(-1)!;
  }

  /** The initiator's and the responder's balance in the last co-signed state. */
  get balances(): [bigint, bigint] {
    const { state } = this.latest;
    return [state.balanceOf(this.i.publicKey)!, state.balanceOf(this.r.publicKey)!];
  }

  close(): Promise<void> {
    return this.session.close();
  }

  // ——— the exchanges ———

  /** Starts an operation of the client's and answers its request `ok`, as the node does; `settled` never rejects. */
  async start<T>(operation: (channel: Channel) => Promise<T>, request: ClientMethod): Promise<{ settled: Promise<Settled<T>> }> {
    const settled = operation(this.channel).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await this.accept(request);
    return { settled };
  }

  /** Answers `ok` to the client's next `request` (one the client made of its own accord, such as an auto-slash). */
  async accept(request: ClientMethod): Promise<void> {
    const asked = await this.session.conn.nextMethod(request);
    this.session.conn.reply(asked, 'ok');
  }

  /**
   * Sends a sign request (a peer proposal signed by the peer first) and returns the client's
   * answer, acknowledged `ok` as the node does.
   */
  async ask(method: SignRequestMethod, proposal: Proposal, options: AskOptions = {}): Promise<SignAnswer> {
    const { conn } = this.session;
    const tx = PEER_PROPOSALS.has(method) ? signTx(proposal.tx, this.r.secretKey, options.peerNetworkId ?? NETWORK_ID) : proposal.tx;
    conn.notify(method, { signed_tx: tx, updates: proposal.updates as never });
    const names = replyNames(method);
    const answer = await conn.next((m) => typeof m.method === 'string' && names.has(m.method), options.ms);
    conn.reply(answer, 'ok');
    return answer.params as SignAnswer;
  }

  /** The node ends the signing round the client aborted (`aborted_update`, nodes since late 2019). */
  abortRound(): void {
    this.session.conn.notify('channels.info', { event: 'aborted_update' });
  }

  /** The node reports the co-signed state of `signed` (the peer's signature added if it lacks it); resolves once the client has it. */
  async coSign(signed: Encoded<'tx'>, state: OffChainState): Promise<CoSigned> {
    const tx = signTx(signed, this.r.secretKey, NETWORK_ID);
    const next: CoSigned = { round: this.latest.round + 1n, tx, state };
    this.session.conn.notify('channels.update', { state: tx });
    await until(() => this.channel.round === next.round);
    this.states.push(next);
    return next;
  }

  /** The node reports a channel tx on chain. */
  onChain(tx: Encoded<'tx'>, type: ChannelTxType, info: OnChainInfo = 'channel_changed'): void {
    this.session.conn.notify('channels.on_chain_tx', { info, tx, type });
  }

  /** The peer transfers `amount` to us in a round the client co-signs. */
  async peerTransfer(amount: bigint): Promise<CoSigned> {
    const proposal = this.transfer(this.r.publicKey, this.i.publicKey, amount);
    const answer = await this.ask('channels.sign.update_ack', proposal);
    if (answer.signed_tx === undefined) throw new Error(`the client refused an honest transfer (${answer.error})`);
    return this.coSign(answer.signed_tx, proposal.state!);
  }

  /** The peer closes solo on chain with `state`, older than our last: the node offers the client to slash. */
  peerClosesSolo(state: CoSigned): void {
    const close = signTx(this.solo(Tag.ChannelCloseSoloTx, { from: this.r.publicKey, payload: state }), this.r.secretKey, NETWORK_ID);
    this.onChain(close, 'channel_close_solo_tx', 'solo_closing');
    this.onChain(this.latest.tx, 'channel_offchain_tx', 'can_slash');
    this.session.conn.notify('channels.info', { event: 'closing' });
  }

  // ——— the txs, honest unless forged ———

  /** The last co-signed state with `updates` applied. */
  after(updates: readonly OffChainUpdate[]): OffChainState {
    return applyUpdates(this.latest.state, updates, SEED_TERMS.channelReserve);
  }

  /** An off-chain transfer in the next round. */
  transfer(from: Encoded<'ak'>, to: Encoded<'ak'>, amount: bigint): Proposal {
    const updates: OffChainUpdate[] = [{ op: 'OffChainTransfer', from, to, amount }];
    const state = this.after(updates);
    const tx = unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId: this.channelId, round: this.latest.round + 1n, stateHash: encode(state.stateHash(), 'st') });
    return { tx, updates, state };
  }

  /** A deposit (from `by`) or withdrawal (to `by`) of `amount` in the next round, listed and hashed as the node does. */
  funding(kind: 'deposit' | 'withdraw', by: Encoded<'ak'>, amount: bigint, forge: FundingForgery = {}): Proposal {
    const listed = forge.listed ?? by;
    const updates: OffChainUpdate[] = [kind === 'deposit' ? { op: 'OffChainDeposit', from: listed, amount } : { op: 'OffChainWithdrawal', to: listed, amount }];
    const state = this.after(updates);
    const fields = {
      version: 1,
      channelId: forge.channelId ?? this.channelId,
      amount,
      ...onChainFields,
      stateHash: encode(state.stateHash(), 'st'),
      round: forge.round ?? this.latest.round + 1n,
    } as const;
    const party = forge.party ?? by;
    const tx = kind === 'deposit' ? priced({ tag: Tag.ChannelDepositTx, ...fields, fromId: party }, forge.fee) : priced({ tag: Tag.ChannelWithdrawTx, ...fields, toId: party }, forge.fee);
    return { tx, updates, state };
  }

  /** A mutual close posted by `from`, paying out the last co-signed balances less the fee as the node splits it. */
  closeMutual(from: Encoded<'ak'>, forge: PayoutForgery = {}): Proposal {
    const [initiator, responder] = this.balances;
    const full = { tag: Tag.ChannelCloseMutualTx, version: 1, channelId: forge.channelId ?? this.channelId, fromId: forge.from ?? from, initiatorAmountFinal: initiator, responderAmountFinal: responder, ...onChainFields } as const;
    // The node prices the tx with the whole balances, then splits that fee.
    const fee = forge.fee ?? nodeFee(full);
    const [initiatorAmountFinal, responderAmountFinal] = forge.payout?.(fee, initiator, responder) ?? closeMutualPayout(fee, initiator, responder) ?? [0n, 0n];
    return { tx: unsigned({ ...full, fee, initiatorAmountFinal, responderAmountFinal }), updates: [] };
  }

  /** A close solo, slash or snapshot by us of the last co-signed state (an empty payload for a state on chain already). */
  solo(tag: typeof Tag.ChannelCloseSoloTx | typeof Tag.ChannelSlashTx | typeof Tag.ChannelSnapshotSoloTx, forge: SoloForgery = {}): Encoded<'tx'> {
    const put = forge.payload === undefined ? this.latest : forge.payload;
    const signed = put && unpackTx(put.tx, Tag.SignedTx);
    const payload = signed?.encodedTx.tag === Tag.ChannelOffChainTx ? { ...signed, signatures: forge.signatures ? [...forge.signatures] : signed.signatures } : null;
    const fields = { version: 1, channelId: forge.channelId ?? this.channelId, fromId: forge.from ?? this.i.publicKey, payload, ...onChainFields } as const;
    if (tag === Tag.ChannelSnapshotSoloTx) return priced({ tag, ...fields }, forge.fee);
    const proved = forge.poi ?? put?.state ?? this.latest.state;
    return priced({ tag, ...fields, poi: typeof proved === 'string' ? proved : poiFromState(proved) }, forge.fee);
  }

  /** A settle by us paying out the last co-signed balances, the state closed on chain. */
  settle(forge: PayoutForgery = {}): Proposal {
    const [initiator, responder] = this.balances;
    const [initiatorAmountFinal, responderAmountFinal] = forge.payout?.(0n, initiator, responder) ?? [initiator, responder];
    const fields = { version: 1, channelId: forge.channelId ?? this.channelId, fromId: forge.from ?? this.i.publicKey, initiatorAmountFinal, responderAmountFinal, ...onChainFields } as const;
    return { tx: priced({ tag: Tag.ChannelSettleTx, ...fields }, forge.fee), updates: [] };
  }
}

