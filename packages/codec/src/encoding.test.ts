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

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The same bytes with a nonzero bit the padding leaves unused: Buffer decodes it alike. */
function unusedBitSet(value: string): string {
  const at = value.replace(/=+$/, '').length - 1;
  return `${value.slice(0, at)}${BASE64_ALPHABET[BASE64_ALPHABET.indexOf(value[at]!) ^ 1]}${value.slice(at + 1)}`;
}
/** A `ba_` string padded with "==" (3-byte payload, 7 bytes with the checksum). */
const BA_TWO_PADS = encode(Uint8Array.of(1, 2, 3), 'ba');

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
    expect(BA_TWO_PADS).toMatch(/[^=]==$/);
    expect(decode(BA_TWO_PADS, 'ba')).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('accepts a base64 string only in the form it encodes back to', () => {
    const chars = fc.constantFrom(...BASE64_ALPHABET, '=', '-', '_', ' ', '\n', '.', '\u00ab', '\u012b', '\u2f2f');
    const edits = fc.array(fc.tuple(fc.nat(BA_TWO_PADS.length), chars, fc.boolean()), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(fc.constantFrom(TX, ST, BA_TWO_PADS), edits, (value, changes) => {
        let edited: string = value;
        for (const [at, c, insert] of changes) {
          const i = 3 + (at % (edited.length - 2));
          edited = `${edited.slice(0, i)}${c}${edited.slice(insert ? i : i + 1)}`;
        }
        let payload: Uint8Array;
        try {
          payload = decode(edited);
        } catch (e) {
          expect([CodecErrorCode.MALFORMED_ENCODING, CodecErrorCode.BAD_CHECKSUM, CodecErrorCode.BAD_LENGTH]).toContain((e as { code: string }).code);
          return;
        }
        expect(encode(payload, edited.slice(0, 2) as Prefix)).toBe(edited);
      }),
      { numRuns: 3000 },
    );
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
    ['base64url character _', () => decode(TX.replace('/', '_'), 'tx'), CodecErrorCode.MALFORMED_ENCODING],
    ['base64 character outside ASCII', () => decode(TX.replace('+', '\u012b'), 'tx'), CodecErrorCode.MALFORMED_ENCODING],
    ['base64 padding inside the text', () => decode(`${TX.slice(0, 20)}=${TX.slice(21)}`, 'tx'), CodecErrorCode.MALFORMED_ENCODING],
    ['base64 without its padding', () => decode(TX.replace(/=$/, ''), 'tx'), CodecErrorCode.MALFORMED_ENCODING],
    ['base64 with a bit set under one "="', () => decode(unusedBitSet(TX), 'tx'), CodecErrorCode.MALFORMED_ENCODING],
    ['base64 with a bit set under "=="', () => decode(unusedBitSet(BA_TWO_PADS), 'ba'), CodecErrorCode.MALFORMED_ENCODING],
    ['base64 length not a multiple of 4', () => decode(ST.slice(0, -1), 'st'), CodecErrorCode.MALFORMED_ENCODING],
    ['31-byte payload for a 32-byte prefix', () => decode(encode(new Uint8Array(31), 'nm').replace('nm_', 'ak_'), 'ak'), CodecErrorCode.BAD_LENGTH],
    ['encoding a 31-byte account key', () => encode(new Uint8Array(31), 'ak'), CodecErrorCode.BAD_LENGTH],
    ['encoding with an unknown prefix', () => encode(new Uint8Array(32), 'zz' as Prefix), CodecErrorCode.UNKNOWN_PREFIX],
  ];
  it.each(corrupted)('rejects %s', (_name, run, code) => {
    expect(run).toThrow(expect.objectContaining({ code }));
  });
});
