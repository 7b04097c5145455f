/**
 * Is what the client sent what the recorded client sent? The method and the params must be equal,
 * ignoring the JSON-RPC id (the client numbers its own requests and always asks with one) and the
 * order of object keys; a `signed_tx` is equal when it carries the same transaction bytes. Sign
 * replies are equal by the tag their names map to: the node takes `channels.close_solo_tx` and
 * `channels.close_solo_sign` alike.
 */
import { REPLY_TAGS, stringifyJson, type JsonValue, type SignReplyMethod } from '@ch/rpc';
import { innerKey } from './signed-tx.js';
import type { Json } from './transcript.js';

/** The value with keys sorted and signed txs replaced by their inner transaction's bytes. */
function canonical(value: JsonValue, key?: string): JsonValue {
  if (typeof value === 'string' && key === 'signed_tx' && value.startsWith('tx_')) {
    try {
      return `inner:${innerKey(value)}`;
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((v) => canonical(v));
  if (value !== null && typeof value === 'object') {
    const out: Json = {};
    for (const k of Object.keys(value).sort()) out[k] = canonical((value as Json)[k]!, k);
    return out;
  }
  return value;
}

/** Undefined if equal, else what differs. */
/** A method as the node reads it: a sign reply by the tag it answers. */
function meaning(method: JsonValue | undefined): JsonValue | undefined {
  const tag = REPLY_TAGS.get(method as SignReplyMethod);
  return tag === undefined ? method : `reply to ${tag}`;
}

export function compareSent(expected: Json, actual: Json): string | undefined {
  if (meaning(expected.method) !== meaning(actual.method)) return `method ${String(actual.method)}, expected ${String(expected.method)}`;
  const want = stringifyJson(canonical(expected.params ?? null));
  const got = stringifyJson(canonical(actual.params ?? null));
  return want === got ? undefined : `params ${shorten(stringifyJson(actual.params ?? null))}, expected ${shorten(stringifyJson(expected.params ?? null))}`;
}

export function shorten(text: string, max = 240): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
