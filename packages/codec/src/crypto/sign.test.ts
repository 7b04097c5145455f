import { describe, expect, it } from 'vitest';
import { compareBytes } from '../bytes.js';
import { decode, encode, type Encoded } from '../encoding.js';
import { CodecErrorCode } from '../errors.js';
import { rlpDecode, rlpEncode, type RlpItem } from '../rlp.js';
import { loadVectors, type VectorNode } from '../state/fixtures.test-helper.js';
import type { Ed25519 } from './ed25519.js';
import { nativeEd25519 } from './ed25519-native.js';
import { nobleEd25519 } from './ed25519-noble.js';
import { generateKeyPair, keyPairFromSecret } from './keys.js';
import { signTx, verifyTx } from './sign.js';

const backends: Ed25519[] = [nobleEd25519, nativeEd25519!];

interface SignedLayer {
  tx: Encoded<'tx'>;
  signatures: number;
  signers: NonNullable<VectorNode['signers']>;
}

/**
 * Every signed_tx in a vector, nested ones included (close_solo/slash/snapshot payloads, GA meta
 * txs). A decoded object lists its fields in serialization order, so field i is RLP item 2 + i.
 */
function signedLayers(bytes: Uint8Array, node: VectorNode, out: SignedLayer[] = []): SignedLayer[] {
  const [, , sigs, innerBytes] = rlpDecode(bytes) as RlpItem[];
  out.push({ tx: encode(bytes, 'tx'), signatures: (sigs as RlpItem[]).length, signers: node.signers ?? [] });
  const inner = node.fields.transaction as VectorNode;
  const innerItems = rlpDecode(innerBytes as Uint8Array) as RlpItem[];
  Object.values(inner.fields).forEach((value, i) => {
    if ((value as VectorNode | null)?.tag === 11) signedLayers(innerItems[2 + i] as Uint8Array, value as VectorNode, out);
  });
  return out;
}

describe('verifyTx on every signature of the tx vectors', () => {
  const layers = [...loadVectors().values()].flatMap((v) => signedLayers(decode(v.tx, 'tx'), v.decoded));

  it('has a signer entry for every signature', () => {
    // One per `11[` in the vectors' shapes: 2011 outer layers and 92 nested ones.
    expect(layers).toHaveLength(2103);
    for (const layer of layers) expect(layer.signers).toHaveLength(layer.signatures);
    expect(layers.reduce((n, l) => n + l.signatures, 0)).toBe(1993);
  });

  it.each(backends.map((b) => [b.name, b] as const))('%s backend: all 1993 verify over the raw bytes with their network id', (_, backend) => {
    let verified = 0;
    for (const { tx, signers } of layers) {
      for (const networkId of new Set(signers.map((s) => s.network_id))) {
        const accounts = signers.filter((s) => s.network_id === networkId).map((s) => s.account);
        const result = verifyTx(tx, networkId, accounts, { backend });
        for (const expected of signers.filter((s) => s.network_id === networkId)) {
          expect(result.signatures[expected.sig]).toMatchObject({ signer: expected.account, hashed: expected.hashed });
          verified++;
        }
      }
    }
    expect(verified).toBe(1993);
  });

  it('finds every co-signed layer of the node with its signatures in ascending byte order, as signTx writes them', () => {
    const coSigned = layers.filter((l) => l.signatures === 2);
    expect(coSigned).toHaveLength(649); // one per `11[2 sig]` in the shapes
    for (const { tx } of coSigned) {
      const [a, b] = (rlpDecode(decode(tx, 'tx')) as Uint8Array[][])[2]!;
      expect(compareBytes(a!, b!)).toBeLessThan(0);
    }
  });

  it('rejects them under another network id (first 50 signed layers, both backends)', () => {
    for (const { tx, signers } of layers.filter((l) => l.signatures > 0).slice(0, 50)) {
      for (const backend of backends) {
        expect(verifyTx(tx, 'ae_mainnet', signers.map((s) => s.account), { backend }).signers).toEqual([]);
      }
    }
  });
});

describe('signTx', () => {
  // The inner tx of a co-signed channel_offchain_tx from the vectors.
  const coSigned = [...loadVectors().values()].find((v) => v.shape === '11[2 sig]>57v2')!;
  const innerTx = encode((rlpDecode(decode(coSigned.tx, 'tx')) as Uint8Array[])[3]!, 'tx');
  const network = 'local_iris_testnet';

  it('wraps an unsigned tx and round-trips through verifyTx', () => {
    const keys = generateKeyPair();
    const signed = signTx(innerTx, keys.secretKey, network);
    const [tag, vsn, sigs, tx] = rlpDecode(decode(signed, 'tx')) as [Uint8Array, Uint8Array, Uint8Array[], Uint8Array];
    expect([tag[0], vsn[0], sigs.length]).toEqual([11, 1, 1]);
    expect(encode(tx, 'tx')).toBe(innerTx);
    expect(verifyTx(signed, network, [keys.publicKey])).toMatchObject({ signers: [keys.publicKey], signatures: [{ hashed: false }] });
    // The serialized bytes verify the same way as the tx_ string.
    expect(verifyTx(decode(signed, 'tx'), network, [keys.publicKey]).signers).toEqual([keys.publicKey]);
  });

  it('signs the Lima+ hashed form on request', () => {
    const keys = generateKeyPair();
    const signed = signTx(innerTx, keys.secretKey, network, { hashed: true });
    for (const backend of backends) {
      expect(verifyTx(signed, network, [keys.publicKey], { backend }).signatures).toEqual([
        { signature: expect.any(Uint8Array), signer: keys.publicKey, hashed: true },
      ]);
    }
  });

  it('adds signatures sorted bytewise, whatever the signing order', () => {
    const [a, b] = [generateKeyPair(), generateKeyPair()];
    const ab = signTx(signTx(innerTx, a.secretKey, network), b.secretKey, network);
    const ba = signTx(signTx(innerTx, b.secretKey, network), a.secretKey, network);
    expect(ab).toBe(ba);
    const sigs = (rlpDecode(decode(ab, 'tx')) as RlpItem[])[2] as Uint8Array[];
    expect(compareBytes(sigs[0]!, sigs[1]!)).toBeLessThan(0);
    expect(verifyTx(ab, network, [a.publicKey, b.publicKey]).signers.sort()).toEqual([a.publicKey, b.publicKey].sort());
  });

  it('keeps the signatures already present and does not duplicate its own', () => {
    const keys = generateKeyPair();
    const resigned = signTx(coSigned.tx, keys.secretKey, network);
    expect((rlpDecode(decode(resigned, 'tx')) as RlpItem[][])[2]).toHaveLength(3);
    expect(signTx(resigned, keys.secretKey, network)).toBe(resigned);
  });

  it('gives byte-identical signed txs with either backend', () => {
    for (let i = 0; i < 20; i++) {
      const { secretKey } = generateKeyPair();
      for (const hashed of [false, true]) {
        const [noble, native] = backends.map((backend) => signTx(innerTx, secretKey, network, { hashed, backend }));
        expect(native).toBe(noble);
      }
    }
  });

  it('reports signatures no given account made', () => {
    const [a, b] = [generateKeyPair(), generateKeyPair()];
    const signed = signTx(innerTx, a.secretKey, network);
    expect(verifyTx(signed, network, [b.publicKey])).toMatchObject({ signers: [], signatures: [{ signer: undefined, hashed: undefined }] });
    expect(verifyTx(innerTx, network, [a.publicKey])).toEqual({ signatures: [], signers: [] });
  });

  it('rejects malformed signed txs', () => {
    const inner = decode(innerTx, 'tx');
    const cases: [RlpItem, CodecErrorCode][] = [
      [[Uint8Array.of(11), Uint8Array.of(1), []], CodecErrorCode.FIELD_COUNT],
      [[Uint8Array.of(11), Uint8Array.of(2), [], inner], CodecErrorCode.UNKNOWN_VERSION],
      [[Uint8Array.of(11), Uint8Array.of(1), [new Uint8Array(63)], inner], CodecErrorCode.BAD_LENGTH],
      [[Uint8Array.of(11), Uint8Array.of(1), new Uint8Array(64), inner], CodecErrorCode.RLP_UNEXPECTED_KIND],
    ];
    for (const [item, code] of cases) {
      const tx = encode(rlpEncode(item), 'tx');
      expect(() => verifyTx(tx, network, [])).toThrow(expect.objectContaining({ code }));
      expect(() => signTx(tx, generateKeyPair().secretKey, network)).toThrow(expect.objectContaining({ code }));
    }
  });
});

describe('key pairs', () => {
  it('derives the same 64-byte secret key from a seed or from seed ++ public key', () => {
    const pair = generateKeyPair();
    expect(pair.secretKey).toHaveLength(64);
    for (const backend of backends) {
      expect(keyPairFromSecret(pair.secretKey.subarray(0, 32), backend)).toEqual(pair);
      expect(keyPairFromSecret(pair.secretKey, backend)).toEqual(pair);
    }
  });

  it('rejects keys of the wrong size or with mismatched halves', () => {
    const pair = generateKeyPair();
    const mismatched = pair.secretKey.slice();
    mismatched[40]! ^= 1;
    for (const backend of backends) {
      for (const bad of [new Uint8Array(31), new Uint8Array(48), mismatched]) {
        expect(() => keyPairFromSecret(bad, backend)).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_KEY }));
        expect(() => backend.sign(new Uint8Array(1), bad)).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_KEY }));
      }
    }
  });
});
