export { txEffect } from './effect.js';
export { Violation, type ChannelContext, type EffectKind, type LastCoSigned, type Movement, type OpeningTerms, type TxEffect, type Verdict } from './verdict.js';
export { updatesFit } from './updates-fit.js';
export { closeMutualPayout } from './payout.js';
export { DEFAULT_MIN_GAS_PRICE, PROTOCOL_MIN_GAS_PRICE, effectMinimumFee, feeGas, isPricedTx, minimumFee, onChainFee, type FeeOptions, type PricedTx } from './fee.js';
