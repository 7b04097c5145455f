import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sha256 } from './sha256.js';
import { toHex } from './bytes.js';

const reference = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('sha256', () => {
  it('matches the FIPS 180-2 test vectors', () => {
    expect(toHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches node:crypto at every length around the padding boundaries', () => {
    for (let n = 0; n <= 200; n++) {
      const data = new Uint8Array(randomBytes(n));
      expect(toHex(sha256(data)), `length ${n}`).toBe(reference(data));
    }
  });

  it('matches node:crypto on random inputs', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (data) => toHex(sha256(data)) === reference(data)), { numRuns: 500 });
  });
});
