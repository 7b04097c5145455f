/**
 * `parseMessage(text, direction)`: text off the wire → a typed message, checked against its
 * method's schema (encoded strings down to their checksums). It never throws: failures come back
 * as `{ ok: false, error }` with an `RpcError` naming the JSON path, what was expected and what
 * arrived, so a receiver can answer every bad message instead of crashing on it.
 */
import { RpcError, RpcErrorCode, type Fault } from './errors.js';
import { parseJson, stringifyJson, type JsonValue } from './json.js';
import {
  clientEnvelope,
  nodeErrorReply,
  nodeNotificationEnvelope,
  nodeResult,
  type ClientMessage,
  type NodeMessage,
  type RpcId,
} from './messages.js';
import { clientMethodSpecs, nodeMethodSpecs, type ClientMethod, type ResultOf } from './methods/index.js';
import { describe, INVALID } from './schema.js';

/** `toNode`: what a client sends (`send` in the transcripts); `fromNode`: what the node sends (`recv`). */
export type Direction = 'toNode' | 'fromNode';
export type MessageOf<D extends Direction> = D extends 'toNode' ? ClientMessage : NodeMessage;

export type ParseResult<T> = { readonly ok: true; readonly message: T } | { readonly ok: false; readonly error: RpcError };
export type ReadResult<T> = { readonly ok: true; readonly result: T } | { readonly ok: false; readonly error: RpcError };

/**
 * Parses one message. Client messages whose params do not fit their method come back as
 * `RPC_INVALID_PARAMS`, with every fault, the node's data codes for them (`error.dataCodes`) and
 * the call itself in `error.request`: exactly what the node needs for its "Rejected" reply.
 */
export function parseMessage<D extends Direction>(text: string, direction: D): ParseResult<MessageOf<D>> {
  let value: JsonValue;
  try {
    value = parseJson(text);
  } catch (e) {
    return { ok: false, error: e as RpcError };
  }
  if (direction === 'toNode') return readClientMessage(value) as ParseResult<MessageOf<D>>;
  if (direction === 'fromNode') return readNodeMessage(value) as ParseResult<MessageOf<D>>;
  return failure(new RpcError(RpcErrorCode.INVALID_REQUEST, `unknown direction ${JSON.stringify(direction)}; expected "toNode" or "fromNode"`));
}

/** Serialises a message (or any JSON value) for the wire; `bigint`s print as bare integers. */
export function stringifyMessage(message: ClientMessage | NodeMessage | JsonValue): string {
  return stringifyJson(message as JsonValue);
}

/**
 * Checks a reply's `result` against the method of the request it answers and returns it typed:
 * `readResult('channels.get.balances', reply)` → balances with `bigint` amounts. Converts in place.
 */
export function readResult<M extends ClientMethod>(method: M, reply: { readonly result: unknown }): ReadResult<ResultOf<M>> {
  const spec = clientMethodSpecs.get(method);
  if (!spec) return failure(new RpcError(RpcErrorCode.UNKNOWN_METHOD, `unknown method ${JSON.stringify(method)}`));
  const faults: Fault[] = [];
  const result = spec.result.read(reply.result, 'result', faults);
  if (result === INVALID) return failure(RpcError.fromFaults(RpcErrorCode.INVALID_RESULT, faults, { method }));
  return { ok: true, result: result as ResultOf<M> };
}

function failure(error: RpcError): { ok: false; error: RpcError } {
  return { ok: false, error };
}

function readClientMessage(value: JsonValue): ParseResult<ClientMessage> {
  const faults: Fault[] = [];
  const envelope = clientEnvelope.read(value, '', faults);
  if (envelope === INVALID) return failure(RpcError.fromFaults(RpcErrorCode.INVALID_REQUEST, faults, idAndRequest(value)));
  const context = { id: envelope.id, request: value, method: envelope.method };
  const spec = clientMethodSpecs.get(envelope.method);
  if (!spec) return failure(new RpcError(RpcErrorCode.UNKNOWN_METHOD, `unknown method ${JSON.stringify(envelope.method)}`, { ...context, path: 'method' }));
  if (spec.params.read((value as Record<string, JsonValue>).params, 'params', faults) === INVALID) {
    return failure(RpcError.fromFaults(RpcErrorCode.INVALID_PARAMS, faults, context));
  }
  return { ok: true, message: value as unknown as ClientMessage };
}

function readNodeMessage(value: JsonValue): ParseResult<NodeMessage> {
  const faults: Fault[] = [];
  const fields = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
  if (fields.method !== undefined) {
    const envelope = nodeNotificationEnvelope.read(value, '', faults);
    if (envelope === INVALID) return failure(RpcError.fromFaults(RpcErrorCode.INVALID_REQUEST, faults, { request: value }));
    const context = { request: value, method: envelope.method };
    const spec = nodeMethodSpecs.get(envelope.method);
    if (!spec) return failure(new RpcError(RpcErrorCode.UNKNOWN_METHOD, `unknown method ${JSON.stringify(envelope.method)}`, { ...context, path: 'method' }));
    if (spec.data.read((envelope.params as Record<string, unknown>).data, 'params.data', faults) === INVALID) {
      return failure(RpcError.fromFaults(RpcErrorCode.INVALID_PARAMS, faults, context));
    }
  } else {
    const shape = fields.error !== undefined ? nodeErrorReply : fields.result !== undefined ? nodeResult : undefined;
    if (!shape) {
      const got = fields === value ? 'an object with none of them' : describe(value);
      return failure(new RpcError(RpcErrorCode.INVALID_REQUEST, `expected a node message with "method", "result" or "error", got ${got}`, { request: value }));
    }
    if (shape.read(value, '', faults) === INVALID) return failure(RpcError.fromFaults(RpcErrorCode.INVALID_REQUEST, faults, { request: value }));
  }
  return { ok: true, message: value as unknown as NodeMessage };
}

/** The id (if usable) and the message, for errors found before the envelope was read. */
function idAndRequest(value: JsonValue): { id?: RpcId; request: JsonValue } {
  const id = typeof value === 'object' && value !== null && !Array.isArray(value) ? value.id : undefined;
  return typeof id === 'bigint' || typeof id === 'string' ? { id, request: value } : typeof id === 'number' && Number.isSafeInteger(id) ? { id: BigInt(id), request: value } : { request: value };
}
