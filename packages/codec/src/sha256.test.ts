import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checksumWord } from './sha256.js';

/** The reference: first 4 bytes of sha256(sha256(data)) by node:crypto. */
function reference(data: Uint8Array): number {
  const first = createHash('sha256').update(data).digest();
  return createHash('sha256').update(first).digest().readUInt32BE(0);
}

describe('checksumWord (first 4 bytes of the double SHA-256)', () => {
  it('matches node:crypto at every length around the padding boundaries', () => {
    for (let n = 0; n <= 200; n++) {
      const data = new Uint8Array(randomBytes(n));
      expect(checksumWord(data), `length ${n}`).toBe(reference(data));
    }
  });

  it('matches node:crypto on random inputs, with or without a precomputed first hash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (data) => {
        const first = new Uint8Array(createHash('sha256').update(data).digest());
        return checksumWord(data) === reference(data) && checksumWord(data, first) === reference(data);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the well-known double SHA-256 of the empty string (5df6e0e2…)', () => {
    expect(checksumWord(new Uint8Array(0))).toBe(0x5df6e0e2);
  });
});
