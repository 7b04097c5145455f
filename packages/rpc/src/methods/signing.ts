/**
 * Signing: the node's `channels.sign.*` requests (a tx to co-sign plus the updates it carries)
 * and the client's replies, each either the signed tx or `{"error": N}` to abort.
 */
import { abortCode, transaction } from '../fields.js';
import { array, keyed, object, type Infer } from '../schema.js';
import { REPLY_TAGS, SIGN_REQUESTS, type SignReplyMethod, type SignRequestMethod } from '../operations.js';
import { offChainUpdate } from '../updates.js';
import { ok, type ClientMethodSpec, type NodeMethodSpec } from './spec.js';

/** Each sign request and the reply name clients send to it (of the names the node takes, `REPLY_TAGS`). */
export const SIGN_REPLY_METHODS = Object.fromEntries(Object.entries(SIGN_REQUESTS).map(([method, r]) => [method, r.replies[0]])) as {
  readonly [M in SignRequestMethod]: (typeof SIGN_REQUESTS)[M]['replies'][0];
};

/** `params.data` of every sign request; `updates` is empty for txs that change no balance. */
export const signRequest = object({ signed_tx: transaction, updates: array(offChainUpdate) });
export type SignRequest = Infer<typeof signRequest>;

/** The node looks for `error` first, so a reply carrying both aborts. */
export const signReply = keyed({ error: object({ error: abortCode }), signed_tx: object({ signed_tx: transaction }) });
export type SignReply = Infer<typeof signReply>;

const signReplySpec = { params: signReply, result: ok };

/** Every reply name the node takes, each the same call. */
export const signingClientMethods = Object.fromEntries(
  [...REPLY_TAGS.keys()].map((m) => [m, signReplySpec]),
) as { readonly [M in SignReplyMethod]: typeof signReplySpec } satisfies Record<string, ClientMethodSpec>;

const signRequestSpec = { data: signRequest };

export const signingNodeMethods = Object.fromEntries(
  Object.keys(SIGN_REQUESTS).map((m) => [m, signRequestSpec]),
) as { readonly [M in SignRequestMethod]: typeof signRequestSpec } satisfies Record<string, NodeMethodSpec>;
