export * from './errors.js';
export * from './bytes.js';
export * from './encoding.js';
export * from './rlp.js';
export * from './hash.js';
