/**
 * Proofs of inclusion (`pi_`, protocol-facts §1.7): [60, 1, accounts, calls, channels, contracts,
 * ns, oracles], each part [] or [[root_hash, [[node_hash, node]…]]]. The proof hashes like the state
 * it proves, so a PoI taken at a co-signed state hashes to that state's `state_hash`.
 */
import { bytesEqual, compareBytes, toHex } from '../bytes.js';
import { CodecError, CodecErrorCode } from '../errors.js';
import { decode, encode, type Encoded } from '../encoding.js';
import { blake2b256 } from '../hash.js';
import { asBytes, asList, rlpEncode, type RlpItem } from '../rlp.js';
import { accountBalance } from './account.js';
import { chainObject, readChainObject } from './chain-object.js';
import type { OffChainState } from './offchain-state.js';
import { stateHashFromRoots, type TreeRoots } from './state-hash.js';
import { trieEntries, trieRoot, type TrieEntry } from './trie.js';

const POI = { tag: 60, vsn: 1, fields: 6, name: 'poi' };
/** Serialization order, which is also the hash order. */
const PARTS = ['accounts', 'calls', 'channels', 'contracts', 'ns', 'oracles'] as const;

interface ProofPart {
  root: Uint8Array;
  /** The entries the part's nodes prove. */
  entries: readonly TrieEntry[];
}

function decodePart(item: RlpItem, name: string): ProofPart | undefined {
  const wrapper = asList(item, name);
  if (wrapper.length === 0) return undefined;
  const [root, nodeList, ...rest] = asList(wrapper[0]!, name);
  if (wrapper.length !== 1 || rest.length > 0 || !nodeList) throw new CodecError(CodecErrorCode.FIELD_COUNT, 'malformed proof part', { path: name });
  const rootHash = asBytes(root!, `${name}.root`);
  if (rootHash.length !== 32) throw new CodecError(CodecErrorCode.BAD_LENGTH, `root hash must be 32 bytes, got ${rootHash.length}`, { path: name });
  const nodes = new Map<string, RlpItem>();
  asList(nodeList, name).forEach((entry, i) => {
    const path = `${name}.nodes.${i}`;
    const [hash, node, ...extra] = asList(entry, path);
    if (!node || extra.length > 0) throw new CodecError(CodecErrorCode.FIELD_COUNT, 'proof entry must be [hash, node]', { path });
    const expected = asBytes(hash!, path);
    if (!bytesEqual(blake2b256(rlpEncode(asList(node, path))), expected)) {
      throw new CodecError(CodecErrorCode.BAD_PROOF, 'proof node does not hash to its key', { path });
    }
    nodes.set(toHex(expected), node);
  });
  // A part may carry just its root (the calls tree in contract PoIs); nodes without it prove nothing.
  if (nodes.size > 0 && !nodes.has(toHex(rootHash))) throw new CodecError(CodecErrorCode.BAD_PROOF, 'proof lacks its root node', { path: name });
  // Nodes off every proven path prove nothing but make the tx larger, and so its fee.
  const reached = new Set<string>();
  const entries = nodes.size > 0 ? trieEntries(rootHash, nodes, (hex) => reached.add(hex)) : [];
  if (reached.size !== nodes.size) throw new CodecError(CodecErrorCode.BAD_PROOF, `${nodes.size - reached.size} proof nodes are not reachable from the root`, { path: name });
  return { root: rootHash, entries };
}

export interface ProofOfInclusion {
  /** Equals the state hash of the state the proof was taken from. */
  hash: Uint8Array;
  /** Balances of the accounts the proof reaches, keyed by public key hex. */
  balances: Map<string, bigint>;
  /** The proven balance of `account`, or undefined if the proof does not reach it. */
  balanceOf(account: Encoded<'ak'>): bigint | undefined;
}

/** Decodes a PoI, checking that every node hashes to its key and lies on a path from its root. */
export function decodePoi(poi: Encoded<'pi'> | Uint8Array): ProofOfInclusion {
  const fields = readChainObject(typeof poi === 'string' ? decode(poi, 'pi') : poi, POI);
  const parts = PARTS.map((name, i) => decodePart(fields[i]!, name));
  const roots: TreeRoots = Object.fromEntries(PARTS.map((name, i) => [name, parts[i]?.root]));
  const accounts = parts[0];
  const balances = new Map<string, bigint>();
  for (const [key, value] of accounts?.entries ?? []) balances.set(toHex(key), accountBalance(value));
  return { hash: stateHashFromRoots(roots), balances, balanceOf: (account) => balances.get(toHex(decode(account, 'ak'))) };
}

export function poiHash(poi: Encoded<'pi'> | Uint8Array): Uint8Array {
  return decodePoi(poi).hash;
}

/** A PoI of every account of `state`, as `channels.get.poi` returns for both participants. */
export function poiFromState(state: OffChainState): Encoded<'pi'> {
  const nodes: [Uint8Array, RlpItem][] = [];
  const root = trieRoot(state.accountEntries(), (hash, node) => nodes.push([hash, node]));
  // The node lists proof entries in key order.
  nodes.sort((a, b) => compareBytes(a[0], b[0]));
  const accounts = root ? [[root, nodes]] : [];
  return encode(chainObject(POI.tag, POI.vsn, [accounts, [], [], [], [], []]), 'pi');
}
