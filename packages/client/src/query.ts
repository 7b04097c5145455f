/**
 * The open parameters of the node's `/channel` WebSocket endpoint, as query strings (sc_ws_handler
 * `read_channel_options`): a new channel names its parties and amounts; a reestablished one names
 * the channel, the FSM to resume and the last co-signed state.
 */
import type { Encoded } from '@ch/codec';
import type { ChannelTerms } from './checks.js';
import type { Role } from './signer.js';

/** The node's own channel timers, in ms (`timeout_<name>`), e.g. `{ idle: 600000, sign: 500000 }`. */
export type NodeTimeouts = Partial<Record<'accept' | 'funding_create' | 'funding_sign' | 'funding_lock' | 'idle' | 'sign' | 'awaiting_open' | 'initialized', number>>;

/** Open parameters the node takes besides the terms; all optional. */
export interface NodeOptions {
  /** Where the initiator's node reaches the responder's (default `localhost`); initiator only. */
  readonly host?: string;
  /** The responder's node port for the noise session (default 3333). */
  readonly port?: number;
  readonly minimumDepth?: number;
  readonly minimumDepthStrategy?: 'txfee' | 'plain';
  readonly ttl?: bigint;
  readonly fee?: bigint;
  readonly gasPrice?: bigint;
  readonly nonce?: bigint;
  /** Whether the responder's FSM outlives a timeout (the node's default is true). */
  readonly keepRunning?: boolean;
  readonly nodeTimeouts?: NodeTimeouts;
}

const DEFAULT_PORT = 3333;

function common(role: Role, node: NodeOptions): Record<string, string> {
  const q: Record<string, string> = { protocol: 'json-rpc', role, port: String(node.port ?? DEFAULT_PORT) };
  if (role === 'initiator') q.host = node.host ?? 'localhost';
  return q;
}

/** The query of a new channel. */
export function openQuery(role: Role, terms: ChannelTerms, node: NodeOptions = {}): URLSearchParams {
  const q: Record<string, string> = {
    ...common(role, node),
    initiator_id: terms.initiatorId,
    responder_id: terms.responderId,
    initiator_amount: String(terms.initiatorAmount),
    responder_amount: String(terms.responderAmount),
    push_amount: String(terms.pushAmount),
    channel_reserve: String(terms.channelReserve),
    lock_period: String(terms.lockPeriod),
  };
  const optional: Record<string, string | number | bigint | boolean | undefined> = {
    minimum_depth: node.minimumDepth,
    minimum_depth_strategy: node.minimumDepthStrategy,
    ttl: node.ttl,
    fee: node.fee,
    gas_price: node.gasPrice,
    nonce: node.nonce,
    keep_running: node.keepRunning,
  };
  for (const [name, ms] of Object.entries(node.nodeTimeouts ?? {})) optional[`timeout_${name}`] = ms;
  for (const [name, value] of Object.entries(optional)) if (value !== undefined) q[name] = String(value);
  return new URLSearchParams(q);
}

/** The query resuming a channel from its last co-signed state (none when it never opened). */
export function reestablishQuery(
  role: Role,
  channelId: Encoded<'ch'>,
  offChainTx: Encoded<'tx'> | undefined,
  fsmId: Encoded<'ba'> | undefined,
  node: NodeOptions = {},
): URLSearchParams {
  const q: Record<string, string> = { ...common(role, node), existing_channel_id: channelId };
  if (offChainTx !== undefined) q.offchain_tx = offChainTx;
  if (fsmId !== undefined) q.existing_fsm_id = fsmId;
  return new URLSearchParams(q);
}

/** `ws://host:port/channel` plus the query (kept if the URL already has one). */
export function withQuery(url: string, query: URLSearchParams): string {
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}
