/**
 * Builders for both sides: clients make requests and notifications, the node (or a stand-in for
 * it) makes notifications and replies in its exact shape, keys in the node's order.
 */
import { DATA_CODE_MESSAGES, JSON_RPC_ERROR_MESSAGES, JsonRpcErrorCode, type DataCode } from './catalogue.js';
import { RpcErrorCode, type RpcError } from './errors.js';
import type { JsonValue } from './json.js';
import type {
  ChannelId,
  ClientNotification,
  ClientRequest,
  ErrorObject,
  NodeErrorReply,
  NodeNotification,
  NodeResult,
  RpcId,
} from './messages.js';
import type { ClientMethod, DataOf, NodeMethod, ParamsOf, ResultOf } from './methods/index.js';

/** `request('channels.get.balances', { accounts }, 1n)`: params are checked against the method. */
export function request<M extends ClientMethod>(method: M, params: ParamsOf<M>, id: RpcId): ClientRequest<M> {
  return { id, jsonrpc: '2.0', method, params };
}

/** A call without an id; the node answers only with notifications (or an error with `id: null`). */
export function notification<M extends ClientMethod>(method: M, params: ParamsOf<M>): ClientNotification<M> {
  return { jsonrpc: '2.0', method, params };
}

export function nodeNotification<M extends NodeMethod>(method: M, channelId: ChannelId | null, data: DataOf<M>): NodeNotification<M> {
  return { jsonrpc: '2.0', method, params: { channel_id: channelId, data }, version: 1 };
}

/** The node's reply to `req`, with a result of the type its method returns. */
export function resultReply<M extends ClientMethod>(req: ClientRequest<M>, channelId: ChannelId | null, result: ResultOf<M>): NodeResult<ResultOf<M>> {
  return { channel_id: channelId, id: req.id, jsonrpc: '2.0', result, version: 1 };
}

export interface ErrorReplyOptions {
  readonly channelId: ChannelId | null;
  /** The id of the refused request; `null` (the default) when it had none. */
  readonly id?: RpcId | null;
  readonly code: JsonRpcErrorCode;
  readonly data?: readonly DataCode[];
  /** The refused request as received; the node leaves it out only for unparsable text. */
  readonly request?: JsonValue;
}

/**
 * The node's error reply: `{channel_id, error: {code, data: [{code, message}], message, request},
 * id, jsonrpc, version}`, with messages taken from the catalogue.
 */
export function errorReply(options: ErrorReplyOptions): NodeErrorReply {
  const error: ErrorObject = {
    code: options.code,
    ...(options.data && { data: options.data.map((code) => ({ code, message: DATA_CODE_MESSAGES[code] })) }),
    message: JSON_RPC_ERROR_MESSAGES[options.code],
    ...(options.request !== undefined && { request: options.request }),
  };
  return { channel_id: options.channelId, error, id: options.id ?? null, jsonrpc: '2.0', version: 1 };
}

/**
 * The reply the node gives to a message `parseMessage(text, 'toNode')` refused. Params faults the
 * node has data codes for become 3 "Rejected" with those codes; a call matching none of the node's
 * patterns (a missing field) is "unhandled" there, which it reports as -32601.
 */
export function errorReplyFor(error: RpcError, channelId: ChannelId | null): NodeErrorReply {
  // The node echoes the request only when it was a JSON object (sc_ws_api_jsonrpc.erl `error_obj/3`).
  const echo = typeof error.request === 'object' && error.request !== null && !Array.isArray(error.request);
  const base = { channelId, id: error.id ?? null, ...(echo && { request: error.request }) };
  switch (error.code) {
    case RpcErrorCode.PARSE_ERROR:
      return errorReply({ channelId, code: JsonRpcErrorCode.PARSE_ERROR });
    case RpcErrorCode.INVALID_REQUEST:
      return errorReply({ ...base, code: JsonRpcErrorCode.INVALID_REQUEST });
    case RpcErrorCode.INVALID_PARAMS: {
      const data = error.dataCodes;
      if (data.length > 0 && error.faults.every((f) => f.dataCode !== undefined)) return errorReply({ ...base, code: JsonRpcErrorCode.REJECTED, data });
      return errorReply({ ...base, code: JsonRpcErrorCode.METHOD_NOT_FOUND });
    }
    case RpcErrorCode.UNKNOWN_METHOD:
      return errorReply({ ...base, code: JsonRpcErrorCode.METHOD_NOT_FOUND });
    default:
      return errorReply({ ...base, code: JsonRpcErrorCode.INTERNAL_ERROR });
  }
}
