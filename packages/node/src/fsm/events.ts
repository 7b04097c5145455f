/**
 * What reaches an FSM (client calls and casts, peer messages, chain events, timeouts) and what it
 * reports to its client. Reports mirror aesc_fsm `report/3` and the sign requests of
 * `request_signing_/6`; the WebSocket layer turns them into JSON-RPC notifications.
 */
import type { Encoded, OffChainUpdate } from '@ch/codec';
import type { ReplyTag, SignTag as CatalogueSignTag } from '@ch/rpc';
import type { ChannelObject } from '../chain/index.js';
import type { PeerMessage } from './peer-messages.js';
import type { PeerEndpoint } from './link.js';

/** Signing requests by the node's tag (the catalogue's); force progress needs contracts, which this node does not run. */
export type SignTag = Exclude<CatalogueSignTag, 'force_progress_tx'>;

/**
 * Tags of sign replies this node names but never requests: `channels.snapshot_solo_tx` maps to
 * `snapshot_tx` (sc_ws_api_jsonrpc ?METHOD_TAG), and force progress needs contracts.
 */
export type OtherSignTag = Exclude<ReplyTag, SignTag>;

/** Options a client may give an on-chain tx the FSM builds (sc_ws_api_jsonrpc `onchain_params/0`). */
export interface OnChainOptions {
  readonly fee?: bigint;
  readonly gasPrice?: bigint;
  readonly nonce?: bigint;
}

/** The client requests that make the FSM build an on-chain tx of its own. */
export type SoloRequest = 'shutdown' | 'close_solo' | 'snapshot_solo' | 'slash' | 'settle';

/** Synchronous client requests; each gets exactly one `CallResult`. */
export type ClientCall =
  | { type: 'transfer'; from: Encoded<'ak'>; to: Encoded<'ak'>; amount: bigint; meta: readonly string[] }
  | { type: 'deposit' | 'withdraw'; amount: bigint; meta: readonly string[]; opts: OnChainOptions }
  | { [R in SoloRequest]: { type: R; opts: OnChainOptions } }[SoloRequest]
  | { type: 'leave' }
  | { type: 'assume_minimum_depth'; txHash: Encoded<'th'> }
  | { type: 'balances'; accounts: readonly Encoded<'ak'>[] }
  | { type: 'offchain_state' }
  | { type: 'poi'; accounts: readonly Encoded<'ak'>[]; contracts: readonly Encoded<'ct'>[] }
  | { type: 'inband_msg'; to: Encoded<'ak'>; info: string }
  /** `{"error": N}` on a sign reply; a call since Oct 2019, a cast before (see `Profile.abort`). */
  | { type: 'abort'; tag: SignTag | OtherSignTag; code: number };

/** The calls that start an update of the channel's state (aesc_fsm.hrl ?UPDATE_REQ). */
export const UPDATE_REQUESTS: ReadonlySet<ClientCall['type']> = new Set(['transfer', 'deposit', 'withdraw']);

/**
 * Reasons a call is refused, named as the node's error atoms; the WebSocket layer maps them to
 * JSON-RPC errors (sc_ws_api_jsonrpc `json_rpc_error_object/2`). `internal` stands for the atoms
 * the node has no mapping for, answered -32603.
 */
export type CallError =
  | 'insufficient_balance'
  | 'negative_amount'
  | 'invalid_pubkeys'
  | 'not_allowed_now'
  | 'not_ready'
  | 'not_offchain_tx'
  | 'already_onchain'
  | 'unknown_request'
  | 'unknown_recipient'
  /** A PoI asked for an account or contract the channel does not hold (`not_found`, data 100). */
  | 'not_found'
  /** The node's `invalid_request` (-32000): an in-band message too big to pass on. */
  | 'invalid_request'
  | 'internal';

export type CallResult =
  | { ok: true; value?: CallValue }
  | { ok: false; error: CallError };

export type CallValue =
  | { type: 'balances'; balances: { account: Encoded<'ak'>; balance: bigint }[] }
  | { type: 'offchain_state'; calls: Encoded<'cs'>; halfSignedTx: Encoded<'tx'> | ''; signedTx: Encoded<'tx'>; trees: Encoded<'ss'> }
  | { type: 'poi'; poi: Encoded<'pi'> };

/** What the FSM waits to see deep enough on chain (aesc_fsm.hrl ?WATCH_*). */
export type WatchTag = 'funding' | 'deposit' | 'withdraw' | 'closed' | 'snapshot_solo';

/** What the chain watcher tells an FSM about its channel (aesc_chain_watcher's callbacks). */
export type ChainEvent =
  /** A tx changed the channel, which is still active. */
  | { type: 'channel_changed'; tx: Encoded<'tx'>; txHash: Encoded<'th'> }
  /** A tx left the channel solo-closing. */
  | { type: 'channel_closing'; tx: Encoded<'tx'>; txHash: Encoded<'th'>; channel: ChannelObject }
  /** A close mutual or settle tx removed the channel. */
  | { type: 'channel_closed'; tx: Encoded<'tx'>; txHash: Encoded<'th'> }
  /** The solo-closing channel's lock has expired. */
  | { type: 'channel_unlocked' }
  | { type: 'minimum_depth_achieved'; tag: WatchTag; txHash: Encoded<'th'> };

export type FsmEvent =
  | { kind: 'call'; call: ClientCall; reply: (result: CallResult) => void }
  | { kind: 'signed'; tag: SignTag | OtherSignTag; tx: Encoded<'tx'> }
  /** The 2019 abort: a cast, so nothing answers it. */
  | { kind: 'abort_cast'; tag: SignTag | OtherSignTag; code: number }
  | { kind: 'peer'; msg: PeerMessage }
  /** A session to the peer's node is up: the initiator dialled, or a peer reestablishes with a waiting responder. */
  | { kind: 'connected'; peer: PeerEndpoint }
  | { kind: 'chain'; event: ChainEvent }
  | { kind: 'timeout'; state: string };

export type Report =
  /** `channels.info`; `details` are the extra fields of a few events (min depth notices). */
  | { kind: 'info'; event: string; fsmId?: Encoded<'ba'>; details?: { readonly [key: string]: string } }
  | { kind: 'sign'; tag: SignTag; tx: Encoded<'tx'>; updates: readonly OffChainUpdate[] }
  | { kind: 'on_chain_tx'; info: string; tx: Encoded<'tx'> }
  | { kind: 'update'; state: Encoded<'tx'> }
  /** `channels.leave`: the latest co-signed state, to reestablish with. */
  | { kind: 'leave'; state: Encoded<'tx'> }
  | { kind: 'conflict'; code: number; round: bigint }
  | { kind: 'message'; from: Encoded<'ak'>; to: Encoded<'ak'>; info: string }
  /** `channels.error`: a check of a signed tx failed (aesc_fsm `report(error, E, D)`). */
  | { kind: 'error'; message: string }
  | { kind: 'died' };

/** A report with the channel id the FSM knew when it made it (null before the create tx exists). */
export interface ClientReport {
  channelId: Encoded<'ch'> | null;
  report: Report;
}

export interface ClientPort {
  report(report: ClientReport): void;
  /** The FSM has terminated; the session closes its WebSocket. */
  stopped(): void;
  /** Another client took over the FSM (sc_ws_handler check_existing_client/3): the session closes its WebSocket. */
  replaced(): void;
}
