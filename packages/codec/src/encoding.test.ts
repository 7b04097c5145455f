import { base58 } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, ENCODINGS, type Prefix } from './encoding.js';
import { CodecErrorCode } from './errors.js';

const PREFIXES = Object.keys(ENCODINGS) as Prefix[];

/** A payload of the size the prefix requires, or of any size where it has none. */
const payloadFor = (prefix: Prefix) => {
  const size = ENCODINGS[prefix].size;
  return size === undefined ? fc.uint8Array({ maxLength: 200 }) : fc.uint8Array({ minLength: size, maxLength: size });
};

const AK = 'ak_mLjWgLbapr5CiVD2Q248aS2TQj9itXnoPv5tteXvZaJ8tdD2C';
const ST = 'st_ZP8IHNNsTxaYp/GakGy6MTXm8MnOngPkebqMLgn1uEbeZckq';
const TX =
  'tx_+IkLAcC4hPiCMgGhAWSuDghi3tNLOnvuIVm5FIbC9Ikodk2/E4CKiamLla+Bhj+qJSJgAKEBkLMuMMqdp4Acg/adLsNQ2VimQAyKhQvdpRTurgwqcKGGJGE5yoAAAgoAhhALIe8QAMCgZP8IHNNsTxaYp/GakGy6MTXm8MnOngPkebqMLgn1uEaBuCCkgAs=';

/** `ak_` with one checksum byte flipped, re-encoded so the base58 itself stays valid. */
function flippedChecksum(value: string): string {
  const data = base58.decode(value.slice(3));
  data[data.length - 1]! ^= 0x01;
  return `${value.slice(0, 3)}${base58.encode(data)}`;
}

describe('API encodings', () => {
  it('decode(encode(payload)) gives the payload back, for every prefix', () => {
    const arb = fc.constantFrom(...PREFIXES).chain((prefix) => fc.tuple(fc.constant(prefix), payloadFor(prefix)));
    fc.assert(
      fc.property(arb, ([prefix, payload]) => {
        const api = encode(payload, prefix);
        expect(api.startsWith(`${prefix}_`)).toBe(true);
        expect(decode(api, prefix)).toEqual(payload);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps real strings byte for byte (base58 and base64 prefixes)', () => {
    for (const value of [AK, ST, TX] as const) expect(encode(decode(value), value.slice(0, 2) as Prefix)).toBe(value);
    expect(decode(ST, 'st')).toHaveLength(32);
  });

  // Each input is rejected with the code that names its fault.
  const corrupted: [string, () => unknown, CodecErrorCode][] = [
    ['flipped checksum byte (base58)', () => decode(flippedChecksum(AK), 'ak'), CodecErrorCode.BAD_CHECKSUM],
    ['flipped payload character (base64)', () => decode(TX.replace('tx_+IkL', 'tx_+IkM'), 'tx'), CodecErrorCode.BAD_CHECKSUM],
    ['wrong prefix', () => decode(AK, 'ch'), CodecErrorCode.PREFIX_MISMATCH],
    ['none of the allowed prefixes', () => decode(AK, ['ch', 'ct']), CodecErrorCode.PREFIX_MISMATCH],
    ['unknown prefix', () => decode(`zz${AK.slice(2)}`), CodecErrorCode.UNKNOWN_PREFIX],
    ['no prefix separator', () => decode(AK.replace('_', '')), CodecErrorCode.UNKNOWN_PREFIX],
    ['empty string', () => decode(''), CodecErrorCode.UNKNOWN_PREFIX],
    ['not a string', () => decode(42 as unknown as string), CodecErrorCode.MALFORMED_ENCODING],
    ['truncated base58', () => decode(AK.slice(0, -1), 'ak'), CodecErrorCode.BAD_CHECKSUM],
    ['truncated base64', () => decode(TX.slice(0, -4), 'tx'), CodecErrorCode.BAD_CHECKSUM],
    ['truncated below the checksum size', () => decode('ak_2', 'ak'), CodecErrorCode.MALFORMED_ENCODING],
    ['trailing garbage after base58', () => decode(`${AK}2`, 'ak'), CodecErrorCode.BAD_CHECKSUM],
    ['trailing garbage after base64 padding', () => decode(`${TX}AAAA`, 'tx'), CodecErrorCode.MALFORMED_ENCODING],
    ['base58 character 0', () => decode(`${AK.slice(0, 10)}0${AK.slice(11)}`, 'ak'), CodecErrorCode.MALFORMED_ENCODING],
    ['base58 character l', () => decode(`${AK.slice(0, 10)}l${AK.slice(11)}`, 'ak'), CodecErrorCode.MALFORMED_ENCODING],
    ['base64 character -', () => decode(TX.replace('+', '-'), 'tx'), CodecErrorCode.MALFORMED_ENCODING],
    ['base64 whitespace', () => decode(`${TX.slice(0, 20)} ${TX.slice(20)}`, 'tx'), CodecErrorCode.MALFORMED_ENCODING],
    ['base64 length not a multiple of 4', () => decode(ST.slice(0, -1), 'st'), CodecErrorCode.MALFORMED_ENCODING],
    ['31-byte payload for a 32-byte prefix', () => decode(encode(new Uint8Array(31), 'nm').replace('nm_', 'ak_'), 'ak'), CodecErrorCode.BAD_LENGTH],
    ['encoding a 31-byte account key', () => encode(new Uint8Array(31), 'ak'), CodecErrorCode.BAD_LENGTH],
    ['encoding with an unknown prefix', () => encode(new Uint8Array(32), 'zz' as Prefix), CodecErrorCode.UNKNOWN_PREFIX],
  ];
  it.each(corrupted)('rejects %s', (_name, run, code) => {
    expect(run).toThrow(expect.objectContaining({ code }));
  });
});
