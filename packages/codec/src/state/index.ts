export { OffChainState, initialState, applyUpdates, UpdateRejectedError, type OffChainUpdate, type UpdateRejection } from './offchain-state.js';
export { stateHashFromRoots, type TreeRoots } from './state-hash.js';
export {
  decodeStateTrees,
  encodeStateTrees,
  stateTreesHash,
  decodeCallStateTree,
  encodeCallStateTree,
  callStateTreeHash,
  type StateTrees,
} from './state-trees.js';
export { decodePoi, poiHash, poiFromState, type ProofOfInclusion } from './poi.js';
export { serializeAccount, accountBalance } from './account.js';
export { trieRoot, type TrieEntry } from './trie.js';
