/**
 * Builds, signs and submits the txs of a channel's life on a `Chain`, with real keys, real off-chain
 * states and proofs from @ch/codec. Each tx builder prices the tx with `chain.fee`.
 */
import {
  applyUpdates,
  buildTx,
  channelId,
  encode,
  generateKeyPair,
  initialState,
  poiFromState,
  signTx,
  Tag,
  unpackTx,
  type ChannelCloseMutualTx,
  type ChannelCloseSoloTx,
  type ChannelCreateTx,
  type ChannelDepositTx,
  type ChannelSettleTx,
  type ChannelSlashTx,
  type ChannelSnapshotSoloTx,
  type ChannelWithdrawTx,
  type Encoded,
  type KeyPair,
  type OffChainState,
  type OffChainUpdate,
  type SignedTx,
  type Tx,
} from '@ch/codec';
import { Chain, type ChainOptions } from './chain.js';
import type { ChannelObject } from './channels.js';
import type { AccountState } from './ledger.js';
import type { OnChainTx } from './tx/kinds.js';

export const NETWORK_ID = 'local_iris_testnet';
export const GENESIS_BALANCE = 10n ** 20n;
export const INITIATOR_AMOUNT = 70_000_000_000_000n;
export const RESPONDER_AMOUNT = 40_000_000_000_000n;
export const RESERVE = 2n;
export const LOCK_PERIOD = 10n;

/** `tx` signed by each of `signers`, raw form unless `hashed`. */
export function sign(tx: Tx | Encoded<'tx'>, signers: readonly KeyPair[], options: { networkId?: string; hashed?: boolean } = {}): Encoded<'tx'> {
  const { networkId = NETWORK_ID, hashed = false } = options;
  return signers.reduce((out, { secretKey }) => signTx(out, secretKey, networkId, { hashed }), typeof tx === 'string' ? tx : buildTx(tx));
}

export function stateHash(state: OffChainState): Encoded<'st'> {
  return encode(state.stateHash(), 'st');
}

/** Whatever a test can observe of the chain, to show a rejected tx changed none of it. */
export interface Observation {
  height: number;
  accounts: (AccountState | undefined)[];
  nonces: bigint[];
  channel: ChannelObject | undefined;
}

export class ChannelKit {
  readonly chain: Chain;
  readonly initiator = generateKeyPair();
  readonly responder = generateKeyPair();
  /** A funded account that is not in the channel. */
  readonly outsider = generateKeyPair();
  /** The responder's delegate. */
  readonly delegate = generateKeyPair();
  channelId: Encoded<'ch'> = 'ch_';
  /** Off-chain states by round; the last is the latest. */
  readonly states = new Map<bigint, OffChainState>();
  round = 0n;

  constructor(options: Partial<ChainOptions> = {}) {
    const accounts = [this.initiator, this.responder, this.outsider, this.delegate].map(({ publicKey }) => ({ publicKey, balance: GENESIS_BALANCE }));
    // Blocks come from `mine()` only; the interval is just long and never fires in a test.
    this.chain = new Chain({ networkId: NETWORK_ID, accounts, mining: { intervalMs: 3_600_000 }, ...options });
  }

  get both(): KeyPair[] {
    return [this.initiator, this.responder];
  }

  get state(): OffChainState {
    return this.states.get(this.round)!;
  }

  /** The tx with the fee the node's FSM would give it. */
  priced<T extends OnChainTx>(tx: T): T {
    return { ...tx, fee: this.chain.fee(tx) };
  }

  nonce(party: KeyPair): bigint {
    return this.chain.nextNonce(party.publicKey);
  }

  account(party: KeyPair): AccountState {
    return this.chain.account(party.publicKey)!;
  }

  observe(): Observation {
    const parties = [this.initiator, this.responder, this.outsider, this.delegate];
    return {
      height: this.chain.height,
      accounts: parties.map((p) => this.chain.account(p.publicKey)),
      nonces: parties.map((p) => this.nonce(p)),
      channel: this.chain.channel(this.channelId),
    };
  }

  /** Submits and mines one block; returns the tx hash. */
  post(tx: Encoded<'tx'>): Encoded<'th'> {
    const { txHash } = this.chain.submit(tx);
    this.chain.mine();
    return txHash;
  }

  /** Records the next round's state: `updates` applied to the latest. */
  advance(updates: OffChainUpdate[]): OffChainState {
    const state = applyUpdates(this.state, updates, RESERVE);
    this.states.set(++this.round, state);
    return state;
  }

  /** The create tx of the channel, whose id it sets. */
  createTx(version: 1 | 2 = 2): ChannelCreateTx {
    const state = initialState({
      initiator: this.initiator.publicKey,
      responder: this.responder.publicKey,
      initiatorAmount: INITIATOR_AMOUNT,
      responderAmount: RESPONDER_AMOUNT,
    });
    this.states.set((this.round = 1n), state);
    const fields = {
      tag: Tag.ChannelCreateTx,
      initiatorId: this.initiator.publicKey,
      initiatorAmount: INITIATOR_AMOUNT,
      responderId: this.responder.publicKey,
      responderAmount: RESPONDER_AMOUNT,
      channelReserve: RESERVE,
      lockPeriod: LOCK_PERIOD,
      ttl: 0n,
      fee: 0n,
      stateHash: stateHash(state),
      nonce: this.nonce(this.initiator),
    };
    this.channelId = channelId(fields.initiatorId, fields.nonce, fields.responderId);
    return this.priced(
      version === 1
        ? { ...fields, version: 1, delegateIds: [this.delegate.publicKey] }
        : { ...fields, version: 2, initiatorDelegateIds: [], responderDelegateIds: [this.delegate.publicKey] },
    );
  }

  /** Creates the channel and mines it. */
  open(version: 1 | 2 = 2): ChannelCreateTx {
    const tx = this.createTx(version);
    this.post(sign(tx, this.both));
    return tx;
  }

  depositTx(from: KeyPair, amount: bigint): ChannelDepositTx {
    const state = this.advance([{ op: 'OffChainDeposit', from: from.publicKey, amount }]);
    return this.priced({
      tag: Tag.ChannelDepositTx,
      version: 1,
      channelId: this.channelId,
      fromId: from.publicKey,
      amount,
      ttl: 0n,
      fee: 0n,
      stateHash: stateHash(state),
      round: this.round,
      nonce: this.nonce(from),
    });
  }

  withdrawTx(to: KeyPair, amount: bigint): ChannelWithdrawTx {
    const state = this.advance([{ op: 'OffChainWithdrawal', to: to.publicKey, amount }]);
    return this.priced({
      tag: Tag.ChannelWithdrawTx,
      version: 1,
      channelId: this.channelId,
      toId: to.publicKey,
      amount,
      ttl: 0n,
      fee: 0n,
      stateHash: stateHash(state),
      round: this.round,
      nonce: this.nonce(to),
    });
  }

  /** The off-chain tx of `round`'s state, signed by `signers` (both participants by default). */
  coSigned(round = this.round, signers = this.both): SignedTx {
    const state = this.states.get(round)!;
    const tx = sign({ tag: Tag.ChannelOffChainTx, version: 2, channelId: this.channelId, round, stateHash: stateHash(state) }, signers);
    return unpackTx(tx, Tag.SignedTx);
  }

  snapshotTx(from: KeyPair, payload: SignedTx | null): ChannelSnapshotSoloTx {
    return this.priced({ tag: Tag.ChannelSnapshotSoloTx, version: 1, channelId: this.channelId, fromId: from.publicKey, payload, ttl: 0n, fee: 0n, nonce: this.nonce(from) });
  }

  closeSoloTx(from: KeyPair, payload: SignedTx | null, proven: OffChainState): ChannelCloseSoloTx {
    return this.priced({
      tag: Tag.ChannelCloseSoloTx,
      version: 1,
      channelId: this.channelId,
      fromId: from.publicKey,
      payload,
      poi: poiFromState(proven),
      ttl: 0n,
      fee: 0n,
      nonce: this.nonce(from),
    });
  }

  slashTx(from: KeyPair, payload: SignedTx | null, proven: OffChainState): ChannelSlashTx {
    return { ...this.closeSoloTx(from, payload, proven), tag: Tag.ChannelSlashTx };
  }

  settleTx(from: KeyPair, initiatorAmountFinal: bigint, responderAmountFinal: bigint): ChannelSettleTx {
    return this.priced({
      tag: Tag.ChannelSettleTx,
      version: 1,
      channelId: this.channelId,
      fromId: from.publicKey,
      initiatorAmountFinal,
      responderAmountFinal,
      ttl: 0n,
      fee: 0n,
      nonce: this.nonce(from),
    });
  }

  /** A close at the latest state's balances, the fee split evenly between the two as the FSM does. */
  closeMutualTx(from: KeyPair): ChannelCloseMutualTx {
    const draft: ChannelCloseMutualTx = {
      tag: Tag.ChannelCloseMutualTx,
      version: 1,
      channelId: this.channelId,
      fromId: from.publicKey,
      initiatorAmountFinal: this.state.balanceOf(this.initiator.publicKey)!,
      responderAmountFinal: this.state.balanceOf(this.responder.publicKey)!,
      ttl: 0n,
      fee: 0n,
      nonce: this.nonce(from),
    };
    const fee = this.chain.fee(draft);
    const half = fee / 2n;
    return { ...draft, fee, initiatorAmountFinal: draft.initiatorAmountFinal - (fee - half), responderAmountFinal: draft.responderAmountFinal - half };
  }
}
