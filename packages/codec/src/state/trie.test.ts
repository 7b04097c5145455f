import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.js';
import { decode } from '../encoding.js';
import { CodecErrorCode } from '../errors.js';
import { blake2b256 } from '../hash.js';
import { rlpEncode, type RlpItem } from '../rlp.js';
import { accountBalance, serializeAccount } from './account.js';
import { trieEntries, trieRoot, type TrieEntry } from './trie.js';

function collect(entries: TrieEntry[]) {
  const nodes = new Map<string, RlpItem>();
  const root = trieRoot(entries, (hash, node) => nodes.set(toHex(hash), node));
  return { root: root!, nodes };
}

const v = (s: string) => new TextEncoder().encode(s);

describe('accounts', () => {
  it('serializes as [10, 1, nonce 0, balance] (worked example of protocol-facts §1.3)', () => {
    expect(toHex(serializeAccount(69999999999998n))).toBe('ca0a0100863faa25225ffe');
    expect(toHex(serializeAccount(0n))).toBe('c40a010000');
  });

  it('reads the balance of every account version', () => {
    const id = new Uint8Array(33);
    expect(accountBalance(serializeAccount(5n))).toBe(5n);
    expect(accountBalance(rlpEncode([Uint8Array.of(10), Uint8Array.of(3), Uint8Array.of(1), Uint8Array.of(0), Uint8Array.of(7)]))).toBe(7n);
    expect(accountBalance(rlpEncode([Uint8Array.of(10), Uint8Array.of(2), Uint8Array.of(0), Uint8Array.of(1), Uint8Array.of(9), id, new Uint8Array(32)]))).toBe(9n);
    expect(() => accountBalance(rlpEncode([Uint8Array.of(10), Uint8Array.of(4), Uint8Array.of(0)]))).toThrow(expect.objectContaining({ code: CodecErrorCode.UNKNOWN_VERSION }));
    expect(() => accountBalance(rlpEncode([Uint8Array.of(11), Uint8Array.of(1), Uint8Array.of(0), Uint8Array.of(7)]))).toThrow(expect.objectContaining({ code: CodecErrorCode.UNKNOWN_TAG }));
  });
});

describe('trieRoot', () => {
  it('is undefined for no entries (the node pads that to 32 zero bytes)', () => {
    expect(trieRoot([])).toBeUndefined();
  });

  it('hashes the root even when its RLP is under 32 bytes', () => {
    const leaf = rlpEncode([Uint8Array.of(0x20, 0xab), v('x')]); // even leaf path "ab"
    expect(leaf.length).toBeLessThan(32);
    expect(trieRoot([[Uint8Array.of(0xab), v('x')]])).toEqual(blake2b256(leaf));
  });

  it('builds the seed round-6 accounts trie of protocol-facts §1.4', () => {
    const i = decode('ak_p5mwxAHVY4fqWNqYDvGLfTAWGGra3B4zuNQayyHZZwS9bKrRx', 'ak');
    const r = decode('ak_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn', 'ak');
    const { root, nodes } = collect([
      [i, serializeAccount(69999999999998n)],
      [r, serializeAccount(40000000000002n)],
    ]);
    const branch = nodes.get(toHex(root)) as Uint8Array[];
    const branchRlp = rlpEncode(branch);
    expect(branchRlp).toHaveLength(83);
    expect(toHex(branchRlp.subarray(0, 8))).toBe('f851808080808080');
    expect(branch.map((slot) => slot.length)).toEqual([0, 0, 0, 0, 0, 0, 32, 0, 0, 0, 32, 0, 0, 0, 0, 0, 0]);
    const leafI = nodes.get(toHex(branch[6]!)) as Uint8Array[];
    expect(toHex(leafI[0]!)).toBe(`3${toHex(i).slice(1)}`); // odd leaf, 63 nibbles
    expect(rlpEncode(leafI)).toHaveLength(46);
    expect(toHex(root).startsWith('ff5e793e')).toBe(true);
    expect(toHex(root).endsWith('9e9893')).toBe(true);
  });

  it('puts shared prefixes in an extension whose child is always hashed', () => {
    // Keys ab01 and ab02 share "ab0": extension (odd path 1,a,b,0 → 0x1a 0xb0) over a branch of two short leaves.
    const entries: TrieEntry[] = [
      [fromHex('ab01'), v('1')],
      [fromHex('ab02'), v('2')],
    ];
    const leaf1 = rlpEncode([Uint8Array.of(0x20), v('1')]);
    const leaf2 = rlpEncode([Uint8Array.of(0x20), v('2')]);
    const slots: Uint8Array[] = Array.from({ length: 17 }, () => new Uint8Array(0));
    slots[1] = leaf1; // short nodes are embedded as byte strings
    slots[2] = leaf2;
    const branch = rlpEncode(slots);
    expect(branch.length).toBeLessThan(32); // still referenced by hash below an extension
    const extension = rlpEncode([Uint8Array.of(0x1a, 0xb0), blake2b256(branch)]);
    expect(trieRoot(entries)).toEqual(blake2b256(extension));
  });

  it('keeps the value of a key that is a prefix of others in branch slot 16', () => {
    // Contract-tree shape: k, k ++ 0x10, k ++ 0x10 ++ store key.
    const k = fromHex('c0ffee');
    const entries: TrieEntry[] = [
      [k, v('contract')],
      [fromHex('c0ffee10'), Uint8Array.of(0)],
      [fromHex('c0ffee1001'), v('store')],
    ];
    const { root, nodes } = collect(entries);
    const extension = nodes.get(toHex(root)) as Uint8Array[];
    expect(toHex(extension[0]!)).toBe('00c0ffee');
    const branch = nodes.get(toHex(extension[1]!)) as Uint8Array[];
    expect(branch[16]).toEqual(v('contract'));
    expect(trieEntries(root, nodes).map(([key, value]) => [toHex(key), toHex(value)]).sort()).toEqual(entries.map(([key, value]) => [toHex(key), toHex(value)]).sort());
  });

  it('rejects duplicate keys', () => {
    const entries: TrieEntry[] = [
      [fromHex('0102'), v('a')],
      [fromHex('0102'), v('b')],
    ];
    expect(() => trieRoot(entries)).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_FIELD }));
  });

  it('is independent of insertion order, and trieEntries reads every entry back', () => {
    let seed = 1;
    const random = () => (seed = (seed * 48271) % 2147483647) & 0xff;
    for (const size of [2, 3, 17, 100]) {
      const entries: TrieEntry[] = Array.from({ length: size }, (_, n) => [Uint8Array.from({ length: 32 }, random), serializeAccount(BigInt(n))]);
      const { root, nodes } = collect(entries);
      expect(trieRoot([...entries].reverse())).toEqual(root);
      const back = trieEntries(root, nodes).map(([key, value]) => `${toHex(key)}:${toHex(value)}`);
      expect(back.sort()).toEqual(entries.map(([key, value]) => `${toHex(key)}:${toHex(value)}`).sort());
    }
  });
});
