import { describe, expect, it } from 'vitest';
import { toHex } from '../bytes.js';
import { decode, encode } from '../encoding.js';
import { CodecErrorCode } from '../errors.js';
import { rlpDecode, rlpEncode, type RlpItem } from '../rlp.js';
import { apiStrings, channelTx, loadTranscripts, loadVectors, stateHashesIn, type VectorNode } from './fixtures.test-helper.js';
import { accountBalance } from './account.js';
import { OffChainState } from './offchain-state.js';
import { stateHashFromRoots } from './state-hash.js';
import {
  callStateTreeHash,
  decodeCallStateTree,
  decodeStateTrees,
  encodeCallStateTree,
  encodeStateTrees,
  stateTreesHash,
} from './state-trees.js';
import { trieRoot } from './trie.js';

const st = (hash: Uint8Array): string => encode(hash, 'st');

describe('ss_ tree dumps', () => {
  it('every get.offchain_state reply: trees hash to the state hash of its co-signed signed_tx', () => {
    const seen = new Set<string>();
    let replies = 0;
    for (const transcript of loadTranscripts()) {
      for (const step of transcript.steps) {
        const result = step.message?.result;
        if (typeof result?.trees !== 'string') continue;
        const { tx } = channelTx(loadVectors().get(result.signed_tx)!.decoded);
        expect(st(stateTreesHash(result.trees)), `${transcript.name}#${step.index}`).toBe(tx.fields.state_hash);
        seen.add(result.trees);
        replies++;
      }
    }
    expect(replies).toBe(124);
    expect(seen.size).toBe(21);
    expect(new Set(loadTranscripts().flatMap((t) => apiStrings(t, 'ss')))).toEqual(seen);
  });

  it('includes contract states: store keys extending contract keys, a non-empty calls tree', () => {
    const dumps = [...new Set(loadTranscripts().flatMap((t) => apiStrings(t, 'ss')))].map((ss) => decodeStateTrees(ss as `ss_${string}`));
    const withContracts = dumps.filter((trees) => trees.contracts.length > 0);
    expect(withContracts.length).toBeGreaterThan(0);
    const prefixKeys = withContracts.some((trees) => trees.contracts.some(([k]) => trees.contracts.some(([other]) => other.length > k.length && toHex(other).startsWith(toHex(k)))));
    expect(prefixKeys).toBe(true);
    expect(dumps.some((trees) => trees.calls.length > 0)).toBe(true);
  });

  it('force-progress offchain_trees hash to the state of the payload they were taken at', () => {
    let checked = 0;
    for (const vector of loadVectors().values()) {
      const { tx } = channelTx(vector.decoded);
      if (tx.tag !== 521) continue;
      const trees = (tx.fields.offchain_trees as { api: `ss_${string}` }).api;
      const payload = tx.fields.payload as VectorNode | null;
      // An empty payload means the last on-chain state: some state of the transcripts it is in.
      const candidates =
        payload?.tag === 11
          ? [channelTx(payload).tx.fields.state_hash]
          : vector.seen.flatMap((s) => {
              const transcript = loadTranscripts().find((t) => t.name === s.where.split('#')[0])!;
              return apiStrings(transcript, 'tx').flatMap((other) => [...stateHashesIn(loadVectors().get(other)!.decoded)]);
            });
      expect(candidates).toContain(st(stateTreesHash(trees)));
      checked++;
    }
    expect(checked).toBe(24);
  });

  it('rejects dumps with a wrong tag, version or tree order', () => {
    const [ss] = apiStrings(loadTranscripts().find((t) => apiStrings(t, 'ss').length > 0)!, 'ss');
    const items = rlpDecode(decode(ss!, 'ss')) as RlpItem[];
    const swapped = [items[0]!, items[1]!, items[7]!, ...items.slice(3, 7), items[2]!];
    expect(() => decodeStateTrees(rlpEncode(swapped))).toThrow(expect.objectContaining({ code: CodecErrorCode.UNKNOWN_TAG, path: 'contracts' }));
    expect(() => decodeStateTrees(rlpEncode([items[0]!, Uint8Array.of(1), ...items.slice(2)]))).toThrow(expect.objectContaining({ code: CodecErrorCode.UNKNOWN_VERSION }));
    expect(() => decodeStateTrees(rlpEncode(items.slice(0, 7)))).toThrow(expect.objectContaining({ code: CodecErrorCode.FIELD_COUNT }));
  });

  it('a dump of a plain channel equals the OffChainState with its balances', () => {
    const [ss] = apiStrings(loadTranscripts().find((t) => t.name === 'json-rpc/abort_updates/sc_ws_abort_slash.json')!, 'ss');
    const trees = decodeStateTrees(ss as `ss_${string}`);
    expect(trees.accounts).toHaveLength(2);
    const state = new OffChainState(trees.accounts.map(([key, value]) => [toHex(key), accountBalance(value)]));
    expect(state.stateHash()).toEqual(stateTreesHash(trees));
  });
});

describe('encoding dumps', () => {
  const dumps = [...new Set(loadTranscripts().flatMap((t) => apiStrings(t, 'ss')))];
  const calls = [...new Set(loadTranscripts().flatMap((t) => apiStrings(t, 'cs')))];

  it('re-encodes every ss_ and cs_ of the transcripts byte for byte, contracts and calls included', () => {
    for (const ss of dumps) expect(encodeStateTrees(decodeStateTrees(ss as `ss_${string}`))).toBe(ss);
    for (const cs of calls) expect(encodeCallStateTree(decodeCallStateTree(cs as `cs_${string}`))).toBe(cs);
    expect(dumps.length).toBe(21);
    expect(calls.length).toBeGreaterThan(0);
  });

  it('dumps an OffChainState as the node serves it', () => {
    const plain = dumps.map((ss) => decodeStateTrees(ss as `ss_${string}`)).find((t) => t.contracts.length === 0 && t.calls.length === 0)!;
    const state = new OffChainState(plain.accounts.map(([key, value]) => [toHex(key), accountBalance(value)]));
    expect(encodeStateTrees({ accounts: state.accountEntries() })).toBe(encodeStateTrees(plain));
    expect(encodeCallStateTree()).toBe('cs_yYICbgGEwz8BwHtqgWY=');
  });
});

describe('cs_ call trees', () => {
  it('decodes every cs_ of the transcripts; the empty one has the zero root', () => {
    const all = [...new Set(loadTranscripts().flatMap((t) => apiStrings(t, 'cs')))] as `cs_${string}`[];
    expect(all).toHaveLength(3);
    const sizes = all.map((cs) => decodeCallStateTree(cs).length);
    expect(sizes.filter((n) => n === 0)).toHaveLength(1);
    for (const cs of all) {
      const root = callStateTreeHash(cs);
      expect(root).toHaveLength(32);
      expect(root.every((b) => b === 0)).toBe(decodeCallStateTree(cs).length === 0);
    }
  });

  it('a cs_ root is the calls root that goes into the state hash', () => {
    const dumps = [...new Set(loadTranscripts().flatMap((t) => apiStrings(t, 'ss')))].map((ss) => decode(ss, 'ss'));
    const dump = dumps.find((bytes) => decodeStateTrees(bytes).calls.length > 0)!;
    const trees = decodeStateTrees(dump);
    // The dump's calls tree element is [622, 1, mtree], exactly a cs_ payload.
    const cs = encode((rlpDecode(dump) as Uint8Array[])[3]!, 'cs');
    expect(decodeCallStateTree(cs)).toEqual(trees.calls);
    const roots = { accounts: trieRoot(trees.accounts), contracts: trieRoot(trees.contracts), calls: callStateTreeHash(cs) };
    expect(stateHashFromRoots(roots)).toEqual(stateTreesHash(trees));
  });
});
