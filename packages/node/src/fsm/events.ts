/**
 * What reaches an FSM (client calls and casts, peer messages, chain events, timeouts) and what it
 * reports to its client. Reports mirror aesc_fsm `report/3` and the sign requests of
 * `request_signing_/6`; the WebSocket layer turns them into JSON-RPC notifications.
 */
import type { Encoded, OffChainUpdate } from '@ch/codec';
import type { PeerMessage } from './peer-messages.js';
import type { PeerEndpoint } from './link.js';

/** Signing requests by the node's tag (aesc_fsm.hrl sign_tag()). */
export type SignTag = 'create_tx' | 'funding_created' | 'update' | 'update_ack';

/** Synchronous client requests; each gets exactly one `CallResult`. */
export type ClientCall =
  | { type: 'transfer'; from: Encoded<'ak'>; to: Encoded<'ak'>; amount: bigint; meta: readonly string[] }
  | { type: 'balances'; accounts: readonly Encoded<'ak'>[] }
  | { type: 'offchain_state' }
  | { type: 'poi' }
  | { type: 'inband_msg'; to: Encoded<'ak'>; info: string }
  /** `{"error": N}` on a sign reply; a call since Oct 2019, a cast before (see `Profile.abort`). */
  | { type: 'abort'; tag: SignTag | OtherSignTag; code: number };

/** Sign tags this node does not (yet) request, still named so aborts of them are answered. */
export type OtherSignTag = 'deposit_tx' | 'deposit_created' | 'withdraw_tx' | 'withdraw_created' | 'shutdown' | 'shutdown_ack' | 'snapshot_solo_tx' | 'close_solo_tx' | 'slash_tx' | 'settle_tx' | 'force_progress_tx' | 'snapshot_tx' | 'leave';

/**
 * Reasons a call is refused, named as the node's error atoms; the WebSocket layer maps them to
 * JSON-RPC errors (sc_ws_api_jsonrpc `json_rpc_error_object/2`).
 */
export type CallError =
  | 'insufficient_balance'
  | 'negative_amount'
  | 'invalid_pubkeys'
  | 'not_allowed_now'
  | 'not_ready'
  | 'unknown_request'
  | 'unknown_recipient';

export type CallResult =
  | { ok: true; value?: CallValue }
  | { ok: false; error: CallError };

export type CallValue =
  | { type: 'balances'; balances: { account: Encoded<'ak'>; balance: bigint }[] }
  | { type: 'offchain_state'; calls: Encoded<'cs'>; halfSignedTx: Encoded<'tx'> | ''; signedTx: Encoded<'tx'>; trees: Encoded<'ss'> }
  | { type: 'poi'; poi: Encoded<'pi'> };

export type ChainEvent =
  /** The watched tx is in a block (aesc_chain_watcher's channel_changed). */
  | { type: 'channel_changed'; tx: Encoded<'tx'>; txHash: Encoded<'th'> }
  | { type: 'minimum_depth_achieved'; txHash: Encoded<'th'> };

export type FsmEvent =
  | { kind: 'call'; call: ClientCall; reply: (result: CallResult) => void }
  | { kind: 'signed'; tag: SignTag | OtherSignTag; tx: Encoded<'tx'> }
  /** The 2019 abort: a cast, so nothing answers it. */
  | { kind: 'abort_cast'; tag: SignTag | OtherSignTag; code: number }
  | { kind: 'peer'; msg: PeerMessage }
  /** The initiator's session reached the responder's node (aesc_session_noise `noise_connected`). */
  | { kind: 'connected'; peer: PeerEndpoint }
  | { kind: 'chain'; event: ChainEvent }
  | { kind: 'timeout'; state: string };

export type Report =
  | { kind: 'info'; event: string; fsmId?: Encoded<'ba'> }
  | { kind: 'sign'; tag: SignTag; tx: Encoded<'tx'>; updates: readonly OffChainUpdate[] }
  | { kind: 'on_chain_tx'; info: string; tx: Encoded<'tx'> }
  | { kind: 'update'; state: Encoded<'tx'> }
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
}
