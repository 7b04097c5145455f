/**
 * The method tables, assembled from their families, and the type-level maps derived from them:
 * `ParamsOf<'channels.get.balances'>`, `ResultOf<…>`, `DataOf<'channels.info'>`.
 */
import type { Infer } from '../schema.js';
import { offChainClientMethods, offChainNodeMethods } from './offchain.js';
import { onChainClientMethods } from './onchain.js';
import { queryClientMethods, queryNodeMethods } from './queries.js';
import { sessionClientMethods, sessionNodeMethods } from './session.js';
import { signingClientMethods, signingNodeMethods } from './signing.js';
import type { ClientMethodSpec, NodeMethodSpec } from './spec.js';

/** Every client→node method (42), with its params and reply result. */
export const CLIENT_METHODS = {
  ...signingClientMethods,
  ...offChainClientMethods,
  ...onChainClientMethods,
  ...queryClientMethods,
  ...sessionClientMethods,
} as const;

/** Every node→client notification (26 recorded; `channels.error` and two query replies not), with the schema of its `params.data`. */
export const NODE_METHODS = {
  ...signingNodeMethods,
  ...offChainNodeMethods,
  ...queryNodeMethods,
  ...sessionNodeMethods,
} as const;

export type ClientMethod = keyof typeof CLIENT_METHODS;
export type NodeMethod = keyof typeof NODE_METHODS;
export type ParamsOf<M extends ClientMethod> = Infer<(typeof CLIENT_METHODS)[M]['params']>;
export type ResultOf<M extends ClientMethod> = Infer<(typeof CLIENT_METHODS)[M]['result']>;
export type DataOf<M extends NodeMethod> = Infer<(typeof NODE_METHODS)[M]['data']>;

/**
 * Calls answered, when sent without an id, by a notification instead of a reply (sc_ws_api_jsonrpc
 * `reply/3`); `channels.system` only for `ping`.
 */
export const ANSWER_NOTIFICATIONS = {
  'channels.system': 'channels.system.pong',
  'channels.get.balances': 'channels.get.balances.reply',
  'channels.get.offchain_state': 'channels.get.offchain_state.reply',
  'channels.get.poi': 'channels.get.poi.reply',
  'channels.dry_run.call_contract': 'channels.dry_run.call_contract.reply',
  'channels.get.contract_call': 'channels.get.contract_call.reply',
  'channels.clean_contract_calls': 'channels.calls_pruned.reply',
} as const satisfies { readonly [M in ClientMethod]?: NodeMethod };
export type AnswerNotification = (typeof ANSWER_NOTIFICATIONS)[keyof typeof ANSWER_NOTIFICATIONS];

/** The notification that answers `method` sent without an id, if one does. */
export function answerNotification(method: string): AnswerNotification | undefined {
  return Object.hasOwn(ANSWER_NOTIFICATIONS, method) ? ANSWER_NOTIFICATIONS[method as keyof typeof ANSWER_NOTIFICATIONS] : undefined;
}

// Maps, not the objects: a method named "constructor" or "__proto__" must not find Object.prototype.
export const clientMethodSpecs: ReadonlyMap<string, ClientMethodSpec> = new Map(Object.entries(CLIENT_METHODS));
export const nodeMethodSpecs: ReadonlyMap<string, NodeMethodSpec> = new Map(Object.entries(NODE_METHODS));

export function isClientMethod(method: unknown): method is ClientMethod {
  return typeof method === 'string' && clientMethodSpecs.has(method);
}

export function isNodeMethod(method: unknown): method is NodeMethod {
  return typeof method === 'string' && nodeMethodSpecs.has(method);
}

export { SIGN_REPLY_METHODS, type SignReply, type SignRequest } from './signing.js';
export { type ContractCall } from './offchain.js';
export { type Balances, type ContractState, type OffChainState } from './queries.js';
