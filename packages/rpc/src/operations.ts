/**
 * The protocol catalogue: each sign request the node sends, and each operation a client starts,
 * with the request that starts it, the sign requests it leads to, the reply names the node takes,
 * the tx signed, how it completes and the options it takes. The method tables beside this file,
 * `@ch/node`'s WebSocket layer and the conformance runner all read these two tables, so no copy of
 * them can drift from the node (sc_ws_api `process_fsm_/3`, sc_ws_api_jsonrpc `?METHOD_SIGNED`,
 * `?METHOD_TAG`, `optional_params/1`; aesc_fsm.hrl `?CANCEL_SIGN_TAGS`, `?CANCEL_ACK_TAGS`).
 */
import { Tag } from '@ch/codec';
import { CHANNEL_TX_TYPE_OF_TAG, type ChannelTxType } from './events.js';
import { amount, blockHash, counter, meta } from './fields.js';
import { optional, type Infer, type OptionalSchema } from './schema.js';

/** The node's names of what it asks to have signed (aesc_fsm.hrl `sign_tag()`). */
export type SignTag =
  | 'create_tx'
  | 'funding_created'
  | 'update'
  | 'update_ack'
  | 'deposit_tx'
  | 'deposit_created'
  | 'withdraw_tx'
  | 'withdraw_created'
  | 'shutdown'
  | 'shutdown_ack'
  | 'close_solo_tx'
  | 'slash_tx'
  | 'settle_tx'
  | 'snapshot_solo_tx'
  | 'force_progress_tx';

export interface SignRequestEntry {
  /** The FSM's tag for the request; a reply is taken for it when its name maps to the same tag. */
  readonly tag: SignTag;
  /** The kind of tx to sign. */
  readonly tx: Tag;
  /** The peer's proposal, already signed by the peer (an ack), rather than this client's own. */
  readonly fromPeer: boolean;
  /** Whether `{"error": N}` ends the round (the create tx's requests cannot be aborted). */
  readonly abortable: boolean;
  /** Every reply name the node takes as the answer, the one clients send first. */
  readonly replies: readonly [string, ...string[]];
}

/** Every `channels.sign.*` request, by method. */
export const SIGN_REQUESTS = {
  'channels.sign.initiator_sign': { tag: 'create_tx', tx: Tag.ChannelCreateTx, fromPeer: false, abortable: false, replies: ['channels.initiator_sign'] },
  'channels.sign.responder_sign': { tag: 'funding_created', tx: Tag.ChannelCreateTx, fromPeer: true, abortable: false, replies: ['channels.responder_sign'] },
  'channels.sign.update': { tag: 'update', tx: Tag.ChannelOffChainTx, fromPeer: false, abortable: true, replies: ['channels.update'] },
  'channels.sign.update_ack': { tag: 'update_ack', tx: Tag.ChannelOffChainTx, fromPeer: true, abortable: true, replies: ['channels.update_ack'] },
  'channels.sign.deposit_tx': { tag: 'deposit_tx', tx: Tag.ChannelDepositTx, fromPeer: false, abortable: true, replies: ['channels.deposit_tx'] },
  'channels.sign.deposit_ack': { tag: 'deposit_created', tx: Tag.ChannelDepositTx, fromPeer: true, abortable: true, replies: ['channels.deposit_ack'] },
  'channels.sign.withdraw_tx': { tag: 'withdraw_tx', tx: Tag.ChannelWithdrawTx, fromPeer: false, abortable: true, replies: ['channels.withdraw_tx'] },
  'channels.sign.withdraw_ack': { tag: 'withdraw_created', tx: Tag.ChannelWithdrawTx, fromPeer: true, abortable: true, replies: ['channels.withdraw_ack'] },
  'channels.sign.shutdown_sign': { tag: 'shutdown', tx: Tag.ChannelCloseMutualTx, fromPeer: false, abortable: true, replies: ['channels.shutdown_sign'] },
  'channels.sign.shutdown_sign_ack': { tag: 'shutdown_ack', tx: Tag.ChannelCloseMutualTx, fromPeer: true, abortable: true, replies: ['channels.shutdown_sign_ack'] },
  // The solo txs' replies go by either name.
  'channels.sign.close_solo_sign': { tag: 'close_solo_tx', tx: Tag.ChannelCloseSoloTx, fromPeer: false, abortable: true, replies: ['channels.close_solo_sign', 'channels.close_solo_tx'] },
  'channels.sign.slash_tx': { tag: 'slash_tx', tx: Tag.ChannelSlashTx, fromPeer: false, abortable: true, replies: ['channels.slash_sign', 'channels.slash_tx'] },
  'channels.sign.settle_sign': { tag: 'settle_tx', tx: Tag.ChannelSettleTx, fromPeer: false, abortable: true, replies: ['channels.settle_sign', 'channels.settle_tx'] },
  // `channels.snapshot_solo_tx` is a reply name too, but the node maps it to `snapshot_tx`, a tag
  // it never asks for: the reply is taken ("ok") and answers nothing (STRAY_REPLIES).
  'channels.sign.snapshot_solo_tx': { tag: 'snapshot_solo_tx', tx: Tag.ChannelSnapshotSoloTx, fromPeer: false, abortable: true, replies: ['channels.snapshot_solo_sign'] },
  'channels.sign.force_progress_tx': { tag: 'force_progress_tx', tx: Tag.ChannelForceProgressTx, fromPeer: false, abortable: true, replies: ['channels.force_progress_sign', 'channels.force_progress_tx'] },
} as const satisfies Record<string, SignRequestEntry>;

/** Reply names the node takes whose tag no sign request has: answered "ok", they answer nothing. */
export const STRAY_REPLIES = { 'channels.snapshot_solo_tx': 'snapshot_tx' } as const;

export type SignRequestMethod = keyof typeof SIGN_REQUESTS;
/** Every name a sign reply may go by. */
export type SignReplyMethod = (typeof SIGN_REQUESTS)[SignRequestMethod]['replies'][number] | keyof typeof STRAY_REPLIES;
/** The tags reply names map to: every sign tag, and the stray ones. */
export type ReplyTag = SignTag | (typeof STRAY_REPLIES)[keyof typeof STRAY_REPLIES];

const signRequestEntries = Object.entries(SIGN_REQUESTS) as [SignRequestMethod, SignRequestEntry][];

/** Each reply name and the tag it answers (sc_ws_api_jsonrpc `?METHOD_TAG`). */
export const REPLY_TAGS: ReadonlyMap<SignReplyMethod, ReplyTag> = new Map<SignReplyMethod, ReplyTag>([
  ...signRequestEntries.flatMap(([, r]) => r.replies.map((reply): [SignReplyMethod, ReplyTag] => [reply as SignReplyMethod, r.tag])),
  ...(Object.entries(STRAY_REPLIES) as [SignReplyMethod, ReplyTag][]),
]);

const requestByTag = new Map(signRequestEntries.map(([method, r]) => [r.tag, method]));

/** The sign request the node sends for a tag (sc_ws_api `process_fsm_/3` renames a few). */
export function signRequestMethod(tag: SignTag): SignRequestMethod {
  return requestByTag.get(tag)!;
}

export function isSignRequestMethod(method: unknown): method is SignRequestMethod {
  return typeof method === 'string' && Object.hasOwn(SIGN_REQUESTS, method);
}

export function isSignReplyMethod(method: unknown): method is SignReplyMethod {
  return REPLY_TAGS.has(method as SignReplyMethod);
}

/** Whether `reply` answers `request`: its name maps to the request's tag. */
export function answers(reply: string, request: SignRequestMethod): boolean {
  return REPLY_TAGS.get(reply as SignReplyMethod) === SIGN_REQUESTS[request].tag;
}

/** The tags a client may abort, its own requests' (`sign`) and the peer's proposals' (`ack`). */
export function abortableTags(side: 'sign' | 'ack'): ReadonlySet<SignTag> {
  return new Set(signRequestEntries.filter(([, r]) => r.abortable && r.fromPeer === (side === 'ack')).map(([, r]) => r.tag));
}

/**
 * The optional params of operations (sc_ws_api_jsonrpc `optional_params/1`), integers as `bigint`.
 * The node reads them as `nonce`, `fee`, `gas_price` of the tx it builds, the `meta` strings it
 * lists in the round, and the `block_hash` it pins the off-chain environment to.
 */
export const OPTION_SCHEMAS = { nonce: counter, fee: amount, gas_price: amount, gas: amount, meta, block_hash: blockHash } as const;
export type OptionName = keyof typeof OPTION_SCHEMAS;
type OptionShape<O extends readonly OptionName[]> = { readonly [K in O[number]]: OptionalSchema<Infer<(typeof OPTION_SCHEMAS)[K]>> };

/** `onchain_params/0`: what every on-chain tx the node builds for its client takes. */
const ON_CHAIN = ['nonce', 'fee', 'gas_price'] as const;
/** `offchain_update_params/0`. */
const UPDATE = ['block_hash', 'meta'] as const;

/**
 * How an operation ends well: a new co-signed round; its tx reported on chain (`released`: the
 * node is open for new operations as soon as the tx is signed); or the channel left.
 */
export type Completion = { readonly kind: 'round' } | { readonly kind: 'on_chain'; readonly txType: ChannelTxType; readonly released?: true } | { readonly kind: 'left' };

export interface OperationEntry {
  /** The call that starts it. */
  readonly request: string;
  /** The sign request the node answers it with, to the client that asked. */
  readonly sign?: SignRequestMethod;
  /** The sign request the other client gets for it, when both sign. */
  readonly ack?: SignRequestMethod;
  readonly completion: Completion;
  /** Its optional params. */
  readonly options: readonly OptionName[];
}

const onChain = (tag: Tag, released?: true): Completion => ({ kind: 'on_chain', txType: CHANNEL_TX_TYPE_OF_TAG[tag as keyof typeof CHANNEL_TX_TYPE_OF_TAG], ...(released && { released }) });
const round: Completion = { kind: 'round' };

/** Every operation, by the name of the `@ch/client` call that starts it. */
export const OPERATIONS = {
  transfer: { request: 'channels.update.new', sign: 'channels.sign.update', ack: 'channels.sign.update_ack', completion: round, options: UPDATE },
  createContract: { request: 'channels.update.new_contract', sign: 'channels.sign.update', ack: 'channels.sign.update_ack', completion: round, options: UPDATE },
  callContract: { request: 'channels.update.call_contract', sign: 'channels.sign.update', ack: 'channels.sign.update_ack', completion: round, options: UPDATE },
  // The new round comes once the tx is deep enough on chain.
  deposit: { request: 'channels.deposit', sign: 'channels.sign.deposit_tx', ack: 'channels.sign.deposit_ack', completion: round, options: ['meta', 'block_hash', ...ON_CHAIN] },
  withdraw: { request: 'channels.withdraw', sign: 'channels.sign.withdraw_tx', ack: 'channels.sign.withdraw_ack', completion: round, options: ['meta', 'block_hash', ...ON_CHAIN] },
  shutdown: { request: 'channels.shutdown', sign: 'channels.sign.shutdown_sign', ack: 'channels.sign.shutdown_sign_ack', completion: onChain(Tag.ChannelCloseMutualTx), options: ON_CHAIN },
  closeSolo: { request: 'channels.close_solo', sign: 'channels.sign.close_solo_sign', completion: onChain(Tag.ChannelCloseSoloTx), options: ON_CHAIN },
  slash: { request: 'channels.slash', sign: 'channels.sign.slash_tx', completion: onChain(Tag.ChannelSlashTx), options: ON_CHAIN },
  settle: { request: 'channels.settle', sign: 'channels.sign.settle_sign', completion: onChain(Tag.ChannelSettleTx), options: ON_CHAIN },
  snapshot: { request: 'channels.snapshot_solo', sign: 'channels.sign.snapshot_solo_tx', completion: onChain(Tag.ChannelSnapshotSoloTx, true), options: ON_CHAIN },
  // `gas_price` is required; `gas` defaults to 1,000,000.
  forceProgress: { request: 'channels.force_progress', sign: 'channels.sign.force_progress_tx', completion: onChain(Tag.ChannelForceProgressTx), options: ['gas', 'nonce'] },
  leave: { request: 'channels.leave', completion: { kind: 'left' }, options: [] },
} as const satisfies Record<string, OperationEntry>;

export type OperationName = keyof typeof OPERATIONS;
export type OperationRequest = (typeof OPERATIONS)[OperationName]['request'];

/** The optional params of `operation`, as object schema members. */
export function optionParams<N extends OperationName>(operation: N): OptionShape<(typeof OPERATIONS)[N]['options']> {
  const options: readonly OptionName[] = OPERATIONS[operation].options;
  return Object.fromEntries(options.map((name) => [name, optional<unknown>(OPTION_SCHEMAS[name])])) as OptionShape<(typeof OPERATIONS)[N]['options']>;
}

const operationByRequest = new Map<string, OperationName>(Object.entries(OPERATIONS).map(([name, op]) => [op.request, name as OperationName]));

/** The operation a request starts, if it starts one. */
export function operationOf(request: string): OperationName | undefined {
  return operationByRequest.get(request);
}

/** The tx kind an operation signs, from its sign request. */
export function operationTx(operation: OperationName): Tag | undefined {
  const op: OperationEntry = OPERATIONS[operation];
  return op.sign && SIGN_REQUESTS[op.sign].tx;
}

/** Calls that need the node's contract VM: the contract operations and the contract queries. */
export const CONTRACT_METHODS: ReadonlySet<string> = new Set([
  OPERATIONS.createContract.request,
  OPERATIONS.callContract.request,
  OPERATIONS.forceProgress.request,
  'channels.dry_run.call_contract',
  'channels.get.contract_call',
  'channels.get.contract',
  'channels.clean_contract_calls',
]);
