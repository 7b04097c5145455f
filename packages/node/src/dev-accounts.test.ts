import { blake2b256, concatBytes, keyPairFromSecret, utf8 } from '@ch/codec';
import { describe, expect, it } from 'vitest';
import { DEV_SEED, devAccounts } from './dev-accounts.js';

describe('devAccounts', () => {
  it('derives account i as the README says: BLAKE2b-256 of the tag, 0x00, uint32be(i) and the seed', () => {
    const index = Uint8Array.of(0, 0, 0, 7);
    const expected = keyPairFromSecret(blake2b256(concatBytes(utf8('ch-node/dev-account/v1'), Uint8Array.of(0), index, utf8('my seed'))));
    expect(devAccounts('my seed', 8)[7]).toEqual(expected);
  });

  it('is the same every call, ten of DEV_SEED by default, distinct, and other with another seed', () => {
    const keys = devAccounts().map((k) => k.publicKey);
    expect(keys).toEqual(devAccounts(DEV_SEED, 10).map((k) => k.publicKey));
    expect(new Set(keys).size).toBe(10);
    // A longer list starts with the shorter one: account i does not depend on the count.
    expect(devAccounts(DEV_SEED, 12).slice(0, 10).map((k) => k.publicKey)).toEqual(keys);
    const others = devAccounts('another seed').map((k) => k.publicKey);
    expect(others.filter((k) => keys.includes(k))).toEqual([]);
    expect(devAccounts(DEV_SEED, 0)).toEqual([]);
  });

  it.each([-1, 1.5, Number.NaN, 100_001, 2 ** 32, 2 ** 32 + 1])('refuses a count of %s, before allocating anything', (count) => {
    expect(() => devAccounts(DEV_SEED, count)).toThrow(/count must be an integer from 0 to 100000/);
  });
});
