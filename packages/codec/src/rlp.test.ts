import * as oracle from '@ethereumjs/rlp';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './bytes.js';
import { CodecError, CodecErrorCode } from './errors.js';
import { decodeInt, encodeInt, rlpDecode, rlpEncode, type RlpItem } from './rlp.js';

// Byte strings around the single-byte (0x80) and short/long (56) boundaries, and nested lists.
const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 3 }),
  fc.uint8Array({ minLength: 54, maxLength: 58 }),
  fc.uint8Array({ maxLength: 300 }),
);
const { item: itemArb } = fc.letrec<{ item: RlpItem }>((tie) => ({
  item: fc.oneof({ depthSize: 'small', withCrossShrink: true }, bytesArb, fc.array(tie('item'), { maxLength: 6 })),
}));

/** Items as plain nested hex arrays, so views and copies compare equal. */
function plain(item: RlpItem): unknown {
  return item instanceof Uint8Array ? toHex(item) : item.map(plain);
}

describe('RLP', () => {
  it('decodes what it encodes', () => {
    fc.assert(fc.property(itemArb, (item) => {
        expect(plain(rlpDecode(rlpEncode(item)))).toEqual(plain(item));
      }), { numRuns: 2000 });
  });

  it('encodes byte strings and lists exactly as @ethereumjs/rlp does', () => {
    fc.assert(fc.property(itemArb, (item) => {
        expect(toHex(rlpEncode(item))).toBe(toHex(oracle.encode(item as oracle.Input)));
      }), { numRuns: 2000 });
  });

  it('decodes what @ethereumjs/rlp encodes, to the same items', () => {
    fc.assert(
      fc.property(itemArb, (item) => {
        const bytes = oracle.encode(item as oracle.Input);
        expect(plain(rlpDecode(bytes))).toEqual(plain(oracle.decode(bytes) as RlpItem));
      }),
      { numRuns: 1000 },
    );
  });

  it('on any input, either throws a CodecError or decodes to an item that re-encodes to exactly that input', () => {
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      // Mutations of valid encodings reach the interesting near-misses far more often.
      fc.tuple(itemArb, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([item, at, byte]) => {
        const bytes = rlpEncode(item);
        if (bytes.length > 0) bytes[at % bytes.length] = byte;
        return bytes;
      }),
    );
    fc.assert(
      fc.property(inputs, (bytes) => {
        let item: RlpItem;
        try {
          item = rlpDecode(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(CodecError);
          return;
        }
        expect(toHex(rlpEncode(item))).toBe(toHex(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  // Each input is rejected with the code that names its fault and the byte offset of the item.
  const corrupted: [string, string, CodecErrorCode, string][] = [
    ['empty input', '', CodecErrorCode.RLP_TRUNCATED, 'byte 0'],
    ['single byte below 0x80 wrapped in a string header', '8105', CodecErrorCode.RLP_NON_CANONICAL, 'byte 0'],
    ['long string form for 5 bytes', 'b8050102030405', CodecErrorCode.RLP_NON_CANONICAL, 'byte 1'],
    ['long list form for 3 bytes', 'f803010203', CodecErrorCode.RLP_NON_CANONICAL, 'byte 1'],
    ['length with a leading zero byte', 'b90038' + '00'.repeat(56), CodecErrorCode.RLP_NON_CANONICAL, 'byte 1'],
    ['string past the end', '85010203', CodecErrorCode.RLP_TRUNCATED, 'byte 0'],
    ['long string past the end', 'b840' + '00'.repeat(10), CodecErrorCode.RLP_TRUNCATED, 'byte 0'],
    ['length of length past the end', 'b901', CodecErrorCode.RLP_TRUNCATED, 'byte 1'],
    ['list past the end', 'c501', CodecErrorCode.RLP_TRUNCATED, 'byte 0'],
    ['item past the end of its list', 'c283010203', CodecErrorCode.RLP_TRUNCATED, 'byte 1'],
    ['trailing byte', '0102', CodecErrorCode.RLP_TRAILING_BYTES, 'byte 1'],
    ['trailing bytes after a list', 'c180ff00', CodecErrorCode.RLP_TRAILING_BYTES, 'byte 2'],
  ];
  it.each(corrupted)('rejects %s', (_name, hex, code, path) => {
    expect(() => rlpDecode(fromHex(hex))).toThrow(expect.objectContaining({ code, path }));
  });
});

describe('aeternity integers', () => {
  it('round-trip as minimal big-endian bytes, with 0 as the single byte 0x00', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 300n) - 1n }), (n) => {
        const bytes = encodeInt(n);
        expect(decodeInt(bytes)).toBe(n);
        expect(bytes.length === 1 || bytes[0] !== 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(toHex(encodeInt(0n))).toBe('00');
    expect(toHex(encodeInt(255n))).toBe('ff');
    expect(toHex(encodeInt(256n))).toBe('0100');
    expect(toHex(encodeInt(2n ** 53n + 1n))).toBe('20000000000001');
  });

  it.each([
    ['a leading zero byte', '0005'],
    ['a long leading zero byte', '00ffffffffffffff'],
    ['no bytes', ''],
  ])('rejects %s', (_name, hex) => {
    expect(() => decodeInt(fromHex(hex))).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_INTEGER }));
  });

  it('rejects negative integers', () => {
    expect(() => encodeInt(-1n)).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_FIELD }));
  });
});
