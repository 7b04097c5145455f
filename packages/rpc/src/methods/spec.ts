/** What each method table entry declares; the tables themselves live beside this file, one per family. */
import { literal, type Schema } from '../schema.js';

/** A client→node method: its params and the `result` of the node's reply when it is sent with an id. */
export interface ClientMethodSpec {
  readonly params: Schema<unknown>;
  readonly result: Schema<unknown>;
}

/** A node→client notification: the schema of `params.data`. */
export interface NodeMethodSpec {
  readonly data: Schema<unknown>;
}

/**
 * The reply to most calls sent with an id. For calls never recorded with an id, results follow
 * the node's rule (sc_ws_api_jsonrpc.erl `reply/3`): "ok" unless the call returns data.
 */
export const ok = literal('ok');
