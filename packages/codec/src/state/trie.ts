/**
 * The node's Merkle-Patricia trie (`aeu_mp_trees`, protocol-facts §1.2). Its shape depends only on
 * the key set, so a canonical recursive build reproduces the node's root without replaying inserts:
 * one entry is a leaf; entries sharing a prefix sit under an extension; otherwise a branch, with the
 * value of a key that ends there in slot 16 (contract store keys extend contract keys).
 *
 * Unlike Ethereum, a node whose RLP is under 32 bytes is embedded in its parent as an RLP *byte
 * string*, and extension children and the root are always referenced by hash.
 */
import { toHex } from '../bytes.js';
import { CodecError, CodecErrorCode } from '../errors.js';
import { blake2b256 } from '../hash.js';
import { asBytes, asList, rlpDecode, rlpEncode, type RlpItem } from '../rlp.js';

export type TrieEntry = readonly [key: Uint8Array, value: Uint8Array];
/** Receives every node stored under its hash: the nodes a proof of inclusion is made of. */
export type HashedNodeSink = (hash: Uint8Array, node: RlpItem) => void;

const EMPTY = new Uint8Array(0);
const PROOF = 'proof node';

function nibble(key: Uint8Array, i: number): number {
  const b = key[i >> 1]!;
  return i & 1 ? b & 0x0f : b >> 4;
}

/** Hex-prefix path of nibbles [from, to): flag nibble 0/1 extension even/odd, 2/3 leaf even/odd. */
function hexPrefix(key: Uint8Array, from: number, to: number, leaf: boolean): Uint8Array {
  const odd = (to - from) & 1;
  const out = new Uint8Array(((to - from) >> 1) + 1);
  let i = from;
  out[0] = (((leaf ? 2 : 0) + odd) << 4) | (odd ? nibble(key, i++) : 0);
  for (let j = 1; j < out.length; j++, i += 2) out[j] = (nibble(key, i) << 4) | nibble(key, i + 1);
  return out;
}

function hashNode(node: RlpItem, sink: HashedNodeSink | undefined): Uint8Array {
  const hash = blake2b256(rlpEncode(node));
  sink?.(hash, node);
  return hash;
}

/** How a parent refers to a child: the child's RLP itself if under 32 bytes, else its hash. */
function reference(node: RlpItem, sink: HashedNodeSink | undefined): Uint8Array {
  const rlp = rlpEncode(node);
  if (rlp.length < 32) return rlp;
  const hash = blake2b256(rlp);
  sink?.(hash, node);
  return hash;
}

/** Nibbles all entries share from `depth` on, bounded by the shortest key. */
function commonPrefix(entries: readonly TrieEntry[], depth: number): number {
  const first = entries[0]![0];
  let end = first.length * 2;
  for (const [key] of entries) end = Math.min(end, key.length * 2);
  let n = depth;
  for (; n < end; n++) {
    const x = nibble(first, n);
    if (entries.some(([key]) => nibble(key, n) !== x)) break;
  }
  return n - depth;
}

function build(entries: readonly TrieEntry[], depth: number, sink: HashedNodeSink | undefined): RlpItem {
  if (entries.length === 1) {
    const [key, value] = entries[0]!;
    return [hexPrefix(key, depth, key.length * 2, true), value];
  }
  const shared = commonPrefix(entries, depth);
  if (shared > 0) {
    const child = build(entries, depth + shared, sink);
    return [hexPrefix(entries[0]![0], depth, depth + shared, false), hashNode(child, sink)];
  }
  const buckets: TrieEntry[][] = Array.from({ length: 16 }, () => []);
  const slots: Uint8Array[] = new Array<Uint8Array>(17).fill(EMPTY);
  for (const entry of entries) {
    const key = entry[0];
    if (key.length * 2 > depth) buckets[nibble(key, depth)]!.push(entry);
    else if (slots[16] === EMPTY) slots[16] = entry[1];
    else throw new CodecError(CodecErrorCode.BAD_FIELD, `duplicate trie key ${toHex(key)}`);
  }
  buckets.forEach((bucket, i) => {
    if (bucket.length > 0) slots[i] = reference(build(bucket, depth + 1, sink), sink);
  });
  return slots;
}

/** Root hash of the trie holding `entries`; undefined when there are none (the node's empty root). */
export function trieRoot(entries: readonly TrieEntry[], sink?: HashedNodeSink): Uint8Array | undefined {
  return entries.length === 0 ? undefined : hashNode(build(entries, 0, sink), sink);
}

/**
 * Every entry reachable from `root` through `nodes` (hash hex → node), each stored node reached
 * reported to `reached`. A proof holds only the nodes on its proven paths, so references to absent
 * nodes are skipped. A hostile proof can point many slots at one node to make the walk exponential,
 * so a stored node may be reached at most twice on average (identical subtrees are legal but rare).
 */
export function trieEntries(root: Uint8Array, nodes: ReadonlyMap<string, RlpItem>, reached?: (hashHex: string) => void): TrieEntry[] {
  const out: TrieEntry[] = [];
  const nibbles: number[] = [];
  let budget = 2 * nodes.size;

  const visitRef = (ref: Uint8Array): void => {
    if (ref.length === 0) return;
    if (ref.length < 32) return visit(rlpDecode(ref));
    const hex = toHex(ref);
    const node = nodes.get(hex);
    if (node === undefined) return;
    if (--budget < 0) throw new CodecError(CodecErrorCode.BAD_PROOF, 'proof nodes are shared by too many paths', { path: PROOF });
    reached?.(hex);
    visit(node);
  };

  const visit = (node: RlpItem): void => {
    const items = asList(node, PROOF);
    if (items.length === 17) {
      const value = asBytes(items[16]!, PROOF);
      if (value.length > 0) out.push([packNibbles(nibbles), value]);
      for (let i = 0; i < 16; i++) {
        nibbles.push(i);
        visitRef(asBytes(items[i]!, PROOF));
        nibbles.pop();
      }
      return;
    }
    if (items.length !== 2) throw new CodecError(CodecErrorCode.BAD_PROOF, `trie node with ${items.length} items`, { path: PROOF });
    const hp = asBytes(items[0]!, PROOF);
    const flag = hp.length > 0 ? hp[0]! >> 4 : -1;
    if (flag < 0 || flag > 3) throw new CodecError(CodecErrorCode.BAD_PROOF, 'bad hex-prefix path in trie node', { path: PROOF });
    const start = nibbles.length;
    for (let i = flag & 1 ? 1 : 2; i < hp.length * 2; i++) nibbles.push(nibble(hp, i));
    if (flag >= 2) out.push([packNibbles(nibbles), asBytes(items[1]!, PROOF)]);
    else visitRef(asBytes(items[1]!, PROOF));
    nibbles.length = start;
  };

  visitRef(root);
  return out;
}

function packNibbles(nibbles: readonly number[]): Uint8Array {
  if (nibbles.length % 2) throw new CodecError(CodecErrorCode.BAD_PROOF, 'trie key with an odd number of nibbles', { path: PROOF });
  const out = new Uint8Array(nibbles.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (nibbles[2 * i]! << 4) | nibbles[2 * i + 1]!;
  return out;
}
