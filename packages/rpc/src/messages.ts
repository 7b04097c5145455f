/**
 * The wire messages of both directions, as typed objects. A parsed message is the wire object
 * itself (integers as `bigint`), so `stringifyMessage` gives back JSON-equal text.
 *
 * The node adds fields JSON-RPC does not have: `version: 1` on everything it sends, a top-level
 * `channel_id` on replies (null before the channel has one), the offending request echoed in
 * `error.request`, and `id: null` on errors answering a notification.
 */
import type { Encoded } from '@ch/codec';
import { channelId } from './fields.js';
import type { JsonValue } from './json.js';
import type { ClientMethod, DataOf, NodeMethod, ParamsOf } from './methods/index.js';
import { anyOf, array, integer, json, literal, nullable, object, optional, smallInteger, string, type Schema } from './schema.js';

/** JSON-RPC ids: the node echoes whatever it got; clients use integers (near −2^59 in the recordings). */
export type RpcId = bigint | string;
export type ChannelId = Encoded<'ch'>;

/** A client call with an id: the node answers with a `NodeResult` or a `NodeErrorReply`. */
export interface ClientRequest<M extends ClientMethod = ClientMethod> {
  readonly jsonrpc: '2.0';
  readonly id: RpcId;
  readonly method: M;
  readonly params: ParamsOf<M>;
}

/** A client call without an id: answered only by notifications, or by an error with `id: null`. */
export interface ClientNotification<M extends ClientMethod = ClientMethod> {
  readonly jsonrpc: '2.0';
  readonly id?: undefined;
  readonly method: M;
  readonly params: ParamsOf<M>;
}

/** What a client sends, discriminated by `method` (and by `id` between request and notification). */
export type ClientMessage = { [M in ClientMethod]: ClientRequest<M> | ClientNotification<M> }[ClientMethod];

export interface NodeNotification<M extends NodeMethod = NodeMethod> {
  readonly jsonrpc: '2.0';
  readonly method: M;
  readonly params: { readonly channel_id: ChannelId | null; readonly data: DataOf<M> };
  readonly version: 1;
}

/** A successful reply. Its `result` is typed once matched to its request: see `readResult`. */
export interface NodeResult<R = JsonValue> {
  readonly jsonrpc: '2.0';
  readonly id: RpcId;
  readonly channel_id: ChannelId | null;
  readonly result: R;
  readonly version: 1;
}

export interface ErrorData {
  readonly code: number;
  readonly message: string;
}

/** The node's error object: JSON-RPC's, plus the request it refused (absent for unparsable text). */
export interface ErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: readonly ErrorData[];
  readonly request?: JsonValue;
}

export interface NodeErrorReply {
  readonly jsonrpc: '2.0';
  readonly id: RpcId | null;
  readonly channel_id: ChannelId | null;
  readonly error: ErrorObject;
  readonly version: 1;
}

/** What the node sends: one notification type per method, and replies. */
export type NodeMessage = { [M in NodeMethod]: NodeNotification<M> }[NodeMethod] | NodeResult | NodeErrorReply;

// Envelope validators, beside the types they check; params and data are checked per method.
const rpcId: Schema<RpcId> = anyOf(integer, string);
const jsonrpc = literal('2.0');
const version = literal(1);

export const clientEnvelope = object({ jsonrpc, id: optional(rpcId), method: string });
export const nodeNotificationEnvelope = object({ jsonrpc, method: string, params: object({ channel_id: nullable(channelId) }), version });
export const nodeResult = object({ jsonrpc, id: rpcId, channel_id: nullable(channelId), result: json, version });
export const nodeErrorReply = object({
  jsonrpc,
  id: nullable(rpcId),
  channel_id: nullable(channelId),
  error: object({
    code: smallInteger,
    message: string,
    data: optional(array(object({ code: smallInteger, message: string }))),
    request: optional(json),
  }),
  version,
});

export function isClientRequest(m: ClientMessage): m is Extract<ClientMessage, { readonly id: RpcId }> {
  return m.id !== undefined;
}

export function isNodeNotification(m: NodeMessage): m is Extract<NodeMessage, { readonly method: NodeMethod }> {
  return 'method' in m;
}

export function isNodeResult(m: NodeMessage): m is NodeResult {
  return 'result' in m;
}

export function isNodeErrorReply(m: NodeMessage): m is NodeErrorReply {
  return 'error' in m;
}
