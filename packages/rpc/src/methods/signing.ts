/**
 * Signing: the node's `channels.sign.*` requests (a tx to co-sign plus the updates it carries)
 * and the client's replies, each either the signed tx or `{"error": N}` to abort.
 */
import { abortCode, transaction } from '../fields.js';
import { array, keyed, object, type Infer } from '../schema.js';
import { offChainUpdate } from '../updates.js';
import { ok, type ClientMethodSpec, type NodeMethodSpec } from './spec.js';

/** Each sign request and the client method that answers it. */
export const SIGN_REPLY_METHODS = {
  'channels.sign.initiator_sign': 'channels.initiator_sign',
  'channels.sign.responder_sign': 'channels.responder_sign',
  'channels.sign.update': 'channels.update',
  'channels.sign.update_ack': 'channels.update_ack',
  'channels.sign.deposit_tx': 'channels.deposit_tx',
  'channels.sign.deposit_ack': 'channels.deposit_ack',
  'channels.sign.withdraw_tx': 'channels.withdraw_tx',
  'channels.sign.withdraw_ack': 'channels.withdraw_ack',
  'channels.sign.shutdown_sign': 'channels.shutdown_sign',
  'channels.sign.shutdown_sign_ack': 'channels.shutdown_sign_ack',
  'channels.sign.close_solo_sign': 'channels.close_solo_sign',
  'channels.sign.slash_tx': 'channels.slash_sign',
  'channels.sign.settle_sign': 'channels.settle_sign',
  'channels.sign.snapshot_solo_tx': 'channels.snapshot_solo_sign',
  'channels.sign.force_progress_tx': 'channels.force_progress_sign',
} as const;
export type SignRequestMethod = keyof typeof SIGN_REPLY_METHODS;
export type SignReplyMethod = (typeof SIGN_REPLY_METHODS)[SignRequestMethod];

/** `params.data` of every sign request; `updates` is empty for txs that change no balance. */
export const signRequest = object({ signed_tx: transaction, updates: array(offChainUpdate) });
export type SignRequest = Infer<typeof signRequest>;

/** The node looks for `error` first, so a reply carrying both aborts. */
export const signReply = keyed({ error: object({ error: abortCode }), signed_tx: object({ signed_tx: transaction }) });
export type SignReply = Infer<typeof signReply>;

const signReplySpec = { params: signReply, result: ok };

export const signingClientMethods = Object.fromEntries(
  Object.values(SIGN_REPLY_METHODS).map((m) => [m, signReplySpec]),
) as { readonly [M in SignReplyMethod]: typeof signReplySpec } satisfies Record<string, ClientMethodSpec>;

const signRequestSpec = { data: signRequest };

export const signingNodeMethods = Object.fromEntries(
  Object.keys(SIGN_REPLY_METHODS).map((m) => [m, signRequestSpec]),
) as { readonly [M in SignRequestMethod]: typeof signRequestSpec } satisfies Record<string, NodeMethodSpec>;
