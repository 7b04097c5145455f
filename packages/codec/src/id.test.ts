import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './bytes.js';
import { decode, encode, type Encoded } from './encoding.js';
import { CodecErrorCode } from './errors.js';
import { blake2b256 } from './hash.js';
import { channelId, decodeId, encodeId, gaAuthId, txHash } from './id.js';

const AK: Encoded<'ak'> = 'ak_mLjWgLbapr5CiVD2Q248aS2TQj9itXnoPv5tteXvZaJ8tdD2C';
const AK2: Encoded<'ak'> = 'ak_26jAbCjYM16ppbhFG6PCQhv6HkwRAri7QNJfoEtb1R8amLscpt';
const KEY = decode(AK, 'ak');

describe('ids', () => {
  it('encodes each kind with its tag byte and decodes it back', () => {
    const tags = { ak: 1, nm: 2, cm: 3, ok: 4, ct: 5, ch: 6 } as const;
    for (const [prefix, tag] of Object.entries(tags) as [keyof typeof tags, number][]) {
      const api = encode(KEY, prefix);
      const id = encodeId(api);
      expect(toHex(id)).toBe(tag.toString(16).padStart(2, '0') + toHex(KEY));
      expect(decodeId(id)).toBe(api);
    }
  });

  it('restricts the kinds a field allows', () => {
    const id = encodeId(AK, 'ak');
    expect(decodeId(id, ['ak', 'ct'])).toBe(AK);
    expect(() => decodeId(id, 'ch')).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_ID }));
    expect(() => encodeId(AK, ['ch', 'ct'])).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_ID }));
  });

  it.each([
    ['unknown tag byte', Uint8Array.of(7, ...KEY)],
    ['tag byte 0', Uint8Array.of(0, ...KEY)],
    ['32 bytes', Uint8Array.of(1, ...KEY.subarray(1))],
    ['34 bytes', Uint8Array.of(1, ...KEY, 0)],
    ['empty', new Uint8Array(0)],
  ])('decodeId rejects %s', (_name, bytes) => {
    expect(() => decodeId(bytes)).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_ID }));
  });

  it('encodeId rejects non-id prefixes and name ids that are not 32 bytes', () => {
    expect(() => encodeId(encode(new Uint8Array(32), 'st'))).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_ID }));
    expect(() => encodeId(encode(new Uint8Array(5), 'nm'))).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_ID }));
    expect(() => encodeId('ak_1111')).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_CHECKSUM }));
  });
});

describe('channelId', () => {
  it('hashes initiator ++ uint256(nonce) ++ responder', () => {
    const nonce = fromHex('00'.repeat(31) + 'b8');
    const expected = encode(blake2b256(Uint8Array.of(...KEY, ...nonce, ...decode(AK2, 'ak'))), 'ch');
    expect(channelId(AK, 184n, AK2)).toBe(expected);
  });

  it('takes a 32-byte auth id in the nonce place for GA initiators', () => {
    const authId = gaAuthId(AK, fromHex('2b116cf2570b2b5402'));
    expect(toHex(authId)).toBe(toHex(blake2b256(Uint8Array.of(...KEY, ...fromHex('2b116cf2570b2b5402')))));
    expect(channelId(AK, authId, AK2)).toBe(encode(blake2b256(Uint8Array.of(...KEY, ...authId, ...decode(AK2, 'ak'))), 'ch'));
  });

  it('rejects nonces outside uint256, short auth ids and non-account keys, naming the argument', () => {
    expect(() => channelId(AK, -1n, AK2)).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_FIELD, path: 'nonce' }));
    expect(() => channelId(AK, 1n << 256n, AK2)).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_FIELD, path: 'nonce' }));
    expect(channelId(AK, (1n << 256n) - 1n, AK2)).toMatch(/^ch_/);
    expect(() => channelId(AK, new Uint8Array(31), AK2)).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_LENGTH, path: 'nonce' }));
    const ct = encode(KEY, 'ct') as string as Encoded<'ak'>;
    expect(() => channelId(AK, 1n, ct)).toThrow(expect.objectContaining({ code: CodecErrorCode.PREFIX_MISMATCH, path: 'responder' }));
    expect(() => gaAuthId(ct, new Uint8Array(1))).toThrow(expect.objectContaining({ code: CodecErrorCode.PREFIX_MISMATCH, path: 'gaId' }));
  });
});

describe('txHash', () => {
  it('is blake2b of the serialized signed tx', () => {
    const tx: Encoded<'tx'> =
      'tx_+IkLAcC4hPiCMgGhAWSuDghi3tNLOnvuIVm5FIbC9Ikodk2/E4CKiamLla+Bhj+qJSJgAKEBkLMuMMqdp4Acg/adLsNQ2VimQAyKhQvdpRTurgwqcKGGJGE5yoAAAgoAhhALIe8QAMCgZP8IHNNsTxaYp/GakGy6MTXm8MnOngPkebqMLgn1uEaBuCCkgAs=';
    expect(txHash(tx)).toBe(encode(blake2b256(decode(tx, 'tx')), 'th'));
  });
});
