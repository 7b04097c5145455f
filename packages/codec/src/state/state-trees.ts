/**
 * Full tree dumps as the node serializes them (protocol-facts §1.7): `ss_` is
 * [62, 0, contracts, calls, channels, ns, oracles, accounts], each tree a binary [62x, 1, mtree];
 * `cs_` is the accumulated calls tree alone, [622, 1, mtree]. An mtree, [63, 1, [[64, 1, key, value]…]],
 * lists key/value pairs, not trie nodes, so hashing one means rebuilding its trie.
 */
import { asBytes, asList } from '../rlp.js';
import { compareBytes } from '../bytes.js';
import { decode, encode, type Encoded } from '../encoding.js';
import { chainObject, readChainObject } from './chain-object.js';
import { stateHashFromRoots } from './state-hash.js';
import { trieRoot, type TrieEntry } from './trie.js';

/** The `ss_` serialization order and each tree's tag. */
const TREE_TAGS = { contracts: 621, calls: 622, channels: 623, ns: 624, oracles: 625, accounts: 626 } as const;
type TreeName = keyof typeof TREE_TAGS;
export type StateTrees = Record<TreeName, TrieEntry[]>;

function decodeMtree(bytes: Uint8Array, name: string): TrieEntry[] {
  const [values] = readChainObject(bytes, { tag: 63, vsn: 1, fields: 1, name });
  return asList(values!, name).map((item, i) => {
    const path = `${name}.${i}`;
    const [key, value] = readChainObject(asBytes(item, path), { tag: 64, vsn: 1, fields: 2, name: path });
    return [asBytes(key!, `${path}.key`), asBytes(value!, `${path}.value`)];
  });
}

function decodeTree(bytes: Uint8Array, name: TreeName): TrieEntry[] {
  const [mtree] = readChainObject(bytes, { tag: TREE_TAGS[name], vsn: 1, fields: 1, name });
  return decodeMtree(asBytes(mtree!, name), name);
}

/** `ss_…`, or its raw bytes as in a force-progress tx's `offchain_trees`. */
export function decodeStateTrees(trees: Encoded<'ss'> | Uint8Array): StateTrees {
  const bytes = typeof trees === 'string' ? decode(trees, 'ss') : trees;
  const fields = readChainObject(bytes, { tag: 62, vsn: 0, fields: 6, name: 'state_trees' });
  const names = Object.keys(TREE_TAGS) as TreeName[];
  return Object.fromEntries(names.map((name, i) => [name, decodeTree(asBytes(fields[i]!, name), name)])) as StateTrees;
}

/** The state hash of a tree dump: equals the `state_hash` of the co-signed tx it was taken at. */
export function stateTreesHash(trees: Encoded<'ss'> | Uint8Array | StateTrees): Uint8Array {
  const decoded = trees instanceof Uint8Array || typeof trees === 'string' ? decodeStateTrees(trees) : trees;
  return stateHashFromRoots({
    accounts: trieRoot(decoded.accounts),
    calls: trieRoot(decoded.calls),
    channels: trieRoot(decoded.channels),
    contracts: trieRoot(decoded.contracts),
    ns: trieRoot(decoded.ns),
    oracles: trieRoot(decoded.oracles),
  });
}

export function decodeCallStateTree(calls: Encoded<'cs'> | Uint8Array): TrieEntry[] {
  return decodeTree(typeof calls === 'string' ? decode(calls, 'cs') : calls, 'calls');
}

/** Root hash of a `cs_` calls tree; 32 zero bytes when empty, as the node pads empty roots. */
export function callStateTreeHash(calls: Encoded<'cs'> | Uint8Array): Uint8Array {
  return trieRoot(decodeCallStateTree(calls)) ?? new Uint8Array(32);
}

function encodeMtree(tag: number, entries: readonly TrieEntry[]): Uint8Array {
  // The node writes an mtree's pairs in descending key order (aeu_mtrees iterates from the top);
  // every dump in the transcripts is in that order (state-trees.test.ts).
  const sorted = [...entries].sort((a, b) => compareBytes(b[0], a[0]));
  return chainObject(tag, 1, [chainObject(63, 1, [sorted.map(([key, value]) => chainObject(64, 1, [key, value]))])]);
}

/** The `ss_` dump of `trees`, byte for byte as `channels.get.offchain_state` serves it. */
export function encodeStateTrees(trees: Partial<StateTrees>): Encoded<'ss'> {
  const names = Object.keys(TREE_TAGS) as TreeName[];
  return encode(chainObject(62, 0, names.map((name) => encodeMtree(TREE_TAGS[name], trees[name] ?? []))), 'ss');
}

/** The `cs_` calls tree (empty for a channel without contracts). */
export function encodeCallStateTree(calls: readonly TrieEntry[] = []): Encoded<'cs'> {
  return encode(encodeMtree(TREE_TAGS.calls, calls), 'cs');
}
