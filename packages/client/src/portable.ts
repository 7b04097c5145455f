/**
 * The API of every platform's build: the browser's entry (`browser` export condition) as it is,
 * Node's (index.ts) with the file store added. What differs by platform underneath (the default
 * store, the WebSocket) comes from `#platform`.
 */
export { Channel } from './channel.js';
export type { ChannelEvents, ChannelMessage, ConflictEvent, IncomingProposal } from './channel-events.js';
export { DEFAULT_TIMEOUTS, type CommonOptions, type FundingOptions, type OnChainOptions, type OpenOptions, type ReestablishOptions, type Timeouts } from './options.js';
export { DEFAULT_KEEP_ALIVE, type KeepAliveOptions } from './keep-alive.js';
export { DEFAULT_RECONNECT, type ReconnectAttempt, type ReconnectPolicy } from './reconnect.js';
export { DEFAULT_SIGN_POLICY, type SignPolicy } from './policy.js';
export type { NodeOptions, NodeTimeouts } from './query.js';
export { secretKeySigner, type Role, type SignContext, type SignOutcome, type Signer } from './signer.js';
export { closeMutualAmounts, type ChannelTerms, type CoSignedState } from './checks.js';
export { CHANNEL_STATUSES, type ChannelStatus } from './state-machine.js';
export { AbortCode, ChannelError, ChannelErrorKind, ConflictError, isChannelError, RefusedError, RpcRequestError, StoreError, StoreErrorCode, TimeoutError } from './errors.js';
export { retryDelay, type RetryPolicy } from './retry.js';
export { MemoryStore, type ChannelRecord, type ChannelStore, type RecordLock, type StoredState } from './store/store.js';
export { IndexedDbStore, type IndexedDbStoreOptions } from './store/indexed-db-store.js';
export { defaultStore } from './store/default-store.js';
export { connectWebSocket, type Transport, type TransportFactory, type TransportHandlers } from './transport.js';
export { Emitter, type EventMap, type Listener } from './emitter.js';
// The key handling a participant needs, so a client needs no second import to get going.
export { generateKeyPair, keyPairFromSecret, type Encoded, type KeyPair } from '@ch/codec';
