export * from './errors.js';
export * from './bytes.js';
export * from './encoding.js';
export * from './rlp.js';
export * from './hash.js';
export * from './tx/index.js';
export * from './crypto/index.js';
export * from './state/index.js';
