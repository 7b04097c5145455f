/** What `Channel.open` and `Channel.reestablish` take. */
import type { Encoded } from '@ch/codec';
import type { ChannelTerms } from './checks.js';
import type { KeepAliveOptions } from './keep-alive.js';
import type { SignPolicy } from './policy.js';
import type { NodeOptions } from './query.js';
import type { ReconnectPolicy } from './reconnect.js';
import type { RetryPolicy } from './retry.js';
import type { Role, Signer } from './signer.js';
import type { ChannelStore } from './store/store.js';
import type { TransportFactory } from './transport.js';

/** Client-side time limits, in ms. Every promise the client hands out settles within one of them. */
export interface Timeouts {
  /** Opening the WebSocket. */
  readonly connect: number;
  /** From connecting until the channel is open (funding locked on chain, or reestablished). */
  readonly open: number;
  /** Each JSON-RPC request's reply. */
  readonly request: number;
  /** An off-chain update, from the call until it is co-signed (or refused, or conflicted). */
  readonly update: number;
  /** Deposits, withdrawals and closing txs, from the call until the node reports them on chain. */
  readonly onChain: number;
  /** The signer's answer; a signer that takes longer is taken as refusing. */
  readonly sign: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  connect: 10_000,
  open: 180_000,
  request: 10_000,
  update: 60_000,
  onChain: 600_000,
  sign: 60_000,
};

/**
 * What the node takes for each on-chain tx it builds for this client (sc_ws_api_jsonrpc
 * `onchain_params/0`). The tx the client signs must carry what is given, and its fee must be the
 * node's fee rule (aesc_fsm `new_onchain_tx_/4`) applied to these: a fee alone is that fee; a fee
 * and a gas price, the larger of the fee and the minimum fee at that price; a gas price alone or
 * nothing, the minimum fee at that or the node's price (the latter bounded by `signPolicy`).
 */
export interface OnChainOptions {
  readonly nonce?: bigint;
  readonly fee?: bigint;
  readonly gasPrice?: bigint;
}

/** Deposits and withdrawals also list meta updates after their own, and may pin the round's environment to a block. */
export interface FundingOptions extends OnChainOptions {
  readonly meta?: readonly string[];
  readonly blockHash?: Encoded<'kh'> | Encoded<'mh'>;
}

/** The wire names of the options (`gas_price`, `block_hash`); absent ones are not sent. */
export function onChainParams(options: FundingOptions): { nonce?: bigint; fee?: bigint; gas_price?: bigint; meta?: string[]; block_hash?: Encoded<'kh'> | Encoded<'mh'> } {
  const { nonce, fee, gasPrice, meta, blockHash } = options;
  return {
    ...(nonce !== undefined && { nonce }),
    ...(fee !== undefined && { fee }),
    ...(gasPrice !== undefined && { gas_price: gasPrice }),
    ...(meta !== undefined && { meta: [...meta] }),
    ...(blockHash !== undefined && { block_hash: blockHash }),
  };
}

export interface CommonOptions extends NodeOptions {
  /** The node's channel endpoint, e.g. `ws://localhost:3014/channel`. */
  readonly url: string;
  readonly signer: Signer;
  /**
   * Where co-signed states are kept. It defaults to a `FileStore` in `.ch-channels/` of the working
   * directory in Node, to an `IndexedDbStore` in browsers. `MemoryStore` keeps nothing across restarts.
   */
  readonly store?: ChannelStore;
  readonly timeouts?: Partial<Timeouts>;
  /** Retry updates that lost a race; off by default. */
  readonly retry?: RetryPolicy;
  /**
   * Reestablish by itself after the socket of the open channel closes unasked (default
   * `DEFAULT_RECONNECT`); `false` leaves the channel `disconnected` instead.
   */
  readonly reconnect?: Partial<ReconnectPolicy> | false;
  /** Sign the slash tx the node offers when the peer closes with an old state (default true). */
  readonly autoSlash?: boolean;
  /** What this client signs that it did not ask for in full (default `DEFAULT_SIGN_POLICY`: fees up to 5× the minimum, no delegates). */
  readonly signPolicy?: SignPolicy;
  readonly transport?: TransportFactory;
  /** Ping after `intervalMs` without a frame sent, and count a pong missing after `timeoutMs` as a lost connection (default 10 s and 10 s); `false` turns it off. */
  readonly keepAlive?: Partial<KeepAliveOptions> | false;
}

export interface OpenOptions extends CommonOptions, Omit<ChannelTerms, 'pushAmount'> {
  readonly role: Role;
  /** The network id both parties sign with, e.g. `ae_mainnet` or `local_lima_testnet`. */
  readonly networkId: string;
  /** Moved from the initiator to the responder in the initial state (default 0). */
  readonly pushAmount?: bigint;
}

export interface ReestablishOptions extends CommonOptions {
  readonly channelId: Encoded<'ch'>;
  /** Which party's record to resume when the store holds both (both parties in one process); checked against the record's. */
  readonly role?: Role;
  /** Must hold the channel's record: the last co-signed state is taken from it. Same default as `open`. */
  readonly store?: ChannelStore;
  /** Checked against the stored record's, if given. */
  readonly networkId?: string;
}
