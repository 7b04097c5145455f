export type { Ed25519 } from './ed25519.js';
export { nobleEd25519 } from './ed25519-noble.js';
export { nativeEd25519 } from './ed25519-native.js';
export { defaultEd25519, generateKeyPair, keyPairFromSecret, type KeyPair } from './keys.js';
export { signTx, verifyTx, type SignTxOptions, type SignatureCheck, type TxVerification } from './sign.js';
