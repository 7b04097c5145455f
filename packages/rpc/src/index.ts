export { RpcError, RpcErrorCode, isRpcError, type Fault, type RpcErrorOptions } from './errors.js';
export * from './catalogue.js';
export { parseJson, stringifyJson, type JsonValue } from './json.js';
export type { Infer, Schema } from './schema.js';
export type {
  OffChainUpdate,
  OffChainOp,
  OffChainTransfer,
  OffChainDeposit,
  OffChainWithdrawal,
  OffChainNewContract,
  OffChainCallContract,
  OffChainMeta,
} from './updates.js';
export {
  PLAIN_INFO_EVENTS,
  ON_CHAIN_INFOS,
  CHANNEL_TX_TYPES,
  CHANNEL_TX_TYPE_OF_TAG,
  channelTxType,
  type ChannelInfo,
  type ChannelInfoEvent,
  type OnChainTx,
  type OnChainInfo,
  type ChannelTxType,
  type Conflict,
} from './events.js';
export * from './operations.js';
export {
  ANSWER_NOTIFICATIONS,
  answerNotification,
  CLIENT_METHODS,
  NODE_METHODS,
  SIGN_REPLY_METHODS,
  isClientMethod,
  isNodeMethod,
  type AnswerNotification,
  type ClientMethod,
  type NodeMethod,
  type ParamsOf,
  type ResultOf,
  type DataOf,
  type SignReply,
  type SignRequest,
  type ContractCall,
  type Balances,
  type ContractState,
  type OffChainState,
} from './methods/index.js';
export {
  isClientRequest,
  isNodeErrorReply,
  isNodeNotification,
  isNodeResult,
  type ChannelId,
  type ClientMessage,
  type ClientNotification,
  type ClientRequest,
  type ErrorData,
  type ErrorObject,
  type NodeErrorReply,
  type NodeMessage,
  type NodeNotification,
  type NodeResult,
  type RpcId,
} from './messages.js';
export * from './build.js';
export * from './parse.js';
