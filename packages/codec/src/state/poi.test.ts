import { describe, expect, it } from 'vitest';
import { decode, encode, type Encoded } from '../encoding.js';
import { CodecErrorCode } from '../errors.js';
import { blake2b256 } from '../hash.js';
import { rlpDecode, rlpEncode, type RlpItem } from '../rlp.js';
import { apiStrings, channelTx, loadTranscripts, loadVectors, stateHashesIn, type VectorNode } from './fixtures.test-helper.js';
import { OffChainState } from './offchain-state.js';
import { decodePoi, poiFromState, poiHash } from './poi.js';

const st = (hash: Uint8Array): string => encode(hash, 'st');
const transcriptStateHashes = (name: string): string[] => {
  const transcript = loadTranscripts().find((t) => t.name === name)!;
  return apiStrings(transcript, 'tx').flatMap((tx) => [...stateHashesIn(loadVectors().get(tx)!.decoded)]);
};
const allPois = [...new Set(loadTranscripts().flatMap((t) => apiStrings(t, 'pi')))] as Encoded<'pi'>[];
const txPois = [...new Set([...loadVectors().values()].flatMap((v) => (channelTx(v.decoded).tx.fields.poi as { api?: Encoded<'pi'> } | undefined)?.api ?? []))];

describe('pi_ proofs of inclusion', () => {
  it('every pi_ of a transcript hashes to a state hash of that transcript', () => {
    let pairs = 0;
    for (const transcript of loadTranscripts()) {
      const hashes = transcriptStateHashes(transcript.name);
      for (const poi of apiStrings(transcript, 'pi')) {
        expect(hashes, `${transcript.name}: ${poi.slice(0, 30)}`).toContain(st(poiHash(poi as Encoded<'pi'>)));
        pairs++;
      }
    }
    expect(allPois).toHaveLength(10);
    expect(pairs).toBe(13); // three PoIs appear in two transcripts each
  });

  it('the PoIs inside close_solo and slash txs hash to their payload state (or a state of their transcript)', () => {
    let checked = 0;
    for (const vector of loadVectors().values()) {
      const { tx } = channelTx(vector.decoded);
      const poi = (tx.fields.poi as { api?: Encoded<'pi'> } | undefined)?.api;
      if (!poi) continue;
      const payload = tx.fields.payload as VectorNode | null;
      const candidates = payload?.tag === 11 ? [channelTx(payload).tx.fields.state_hash] : vector.seen.flatMap((s) => transcriptStateHashes(s.where.split('#')[0]!));
      expect(candidates).toContain(st(poiHash(poi)));
      checked++;
    }
    expect(checked).toBe(38); // 22 close_solo, 16 slash
  });

  it('lists the balances the accounts part proves', () => {
    const slash = loadTranscripts().find((t) => t.name === 'json-rpc/changeable_fee/sc_ws_optional_params_slash.json')!;
    const poi = apiStrings(slash, 'pi')[0] as Encoded<'pi'>;
    const proof = decodePoi(poi);
    const { balances, hash } = proof;
    expect([...balances.values()].sort()).toEqual([40000000000001n, 69999999999999n]);
    const initiator = 'ak_mLjWgLbapr5CiVD2Q248aS2TQj9itXnoPv5tteXvZaJ8tdD2C';
    expect(proof.balanceOf(initiator)).toBe(69999999999999n);
    expect(proof.balanceOf('ak_p5mwxAHVY4fqWNqYDvGLfTAWGGra3B4zuNQayyHZZwS9bKrRx')).toBeUndefined();
    expect(new OffChainState(balances).stateHash()).toEqual(hash);
  });

  it('poiFromState rebuilds every accounts-only PoI (transcripts and txs) byte for byte', () => {
    const accountsOnly = [...new Set([...allPois, ...txPois])].filter((poi) => {
      const parts = (rlpDecode(decode(poi, 'pi')) as RlpItem[][]).slice(3);
      return parts.every((part) => part.length === 0);
    });
    expect(accountsOnly).toHaveLength(4);
    for (const poi of accountsOnly) expect(poiFromState(new OffChainState(decodePoi(poi).balances))).toBe(poi);
  });

  describe('rejects inconsistent proofs', () => {
    const poi = allPois[0]!;
    const [tag, vsn, accounts, ...rest] = rlpDecode(decode(poi, 'pi')) as RlpItem[][];
    const [[root, nodes]] = accounts as [[Uint8Array, [Uint8Array, RlpItem[]][]]];
    const rebuild = (part: RlpItem): Uint8Array => rlpEncode([tag!, vsn!, part, ...rest]);

    it('a node that does not hash to its key', () => {
      const [hash, node] = nodes[0]!;
      const tampered = [...node.slice(0, -1), Uint8Array.of(1)];
      expect(() => decodePoi(rebuild([[root, [[hash, tampered], ...nodes.slice(1)]]]))).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_PROOF }));
    });

    it('a missing root node', () => {
      const withoutRoot = nodes.filter(([hash]) => encode(hash, 'st') !== encode(root, 'st'));
      expect(withoutRoot).toHaveLength(nodes.length - 1);
      expect(() => decodePoi(rebuild([[root, withoutRoot]]))).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_PROOF }));
    });

    it('nodes no path from the root reaches (padding that only raises the fee)', () => {
      const junk = Array.from({ length: 3 }, (_, j) => [Uint8Array.of(j)]);
      const padded = [...nodes, ...junk.map((node) => [blake2b256(rlpEncode(node)), node])];
      expect(() => decodePoi(rebuild([[root, padded]]))).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_PROOF, message: expect.stringContaining('3 proof nodes are not reachable') }));
    });

    it('branches whose 16 slots all point at the next one: refused at once, not walked 16^24 times', () => {
      let node: RlpItem = [Uint8Array.of(0x20), Uint8Array.of(1)];
      const chain: [Uint8Array, RlpItem][] = [];
      for (let depth = 0; depth < 24; depth++) {
        const hash = blake2b256(rlpEncode(node));
        chain.push([hash, node]);
        node = [...Array.from({ length: 16 }, () => hash), new Uint8Array(0)];
      }
      const top = blake2b256(rlpEncode(node));
      expect(() => decodePoi(rebuild([[top, [[top, node], ...chain]]]))).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_PROOF, message: expect.stringContaining('shared by too many paths') }));
    });

    it('a root hash of the wrong length, or a malformed part', () => {
      expect(() => decodePoi(rebuild([[root.subarray(1), nodes]]))).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_LENGTH }));
      expect(() => decodePoi(rebuild([[root, nodes], [root, nodes]]))).toThrow(expect.objectContaining({ code: CodecErrorCode.FIELD_COUNT }));
    });
  });
});
