export { Chain, type Block, type ChainOptions, type GenesisAccount, type IncludedTx } from './chain.js';
export type { Submission } from './tx/index.js';
export type { AccountState } from './ledger.js';
export type { ChannelObject } from './channels.js';
export { ChainError, ChainErrorCode, isChainError } from './errors.js';
export { fee, feeGas, DEFAULT_MIN_GAS_PRICE, PROTOCOL_MIN_GAS_PRICE } from './fees.js';
export type { MiningMode } from './mining.js';
export type { OnChainTx, Protocol } from './tx/kinds.js';
