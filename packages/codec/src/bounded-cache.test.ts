import { describe, expect, it } from 'vitest';
import { BoundedCache } from './bounded-cache.js';

describe('BoundedCache', () => {
  it('makes each value once while it is kept, and forgets values once `limit` newer ones came', () => {
    const cache = new BoundedCache<string>(4);
    const made: string[] = [];
    const get = (key: string) => cache.get(key, () => (made.push(key), key.toUpperCase()));
    expect(['a', 'b', 'a', 'b'].map(get)).toEqual(['A', 'B', 'A', 'B']);
    expect(made).toEqual(['a', 'b']);
    for (const key of ['c', 'd', 'e', 'f']) get(key);
    get('a');
    expect(made).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'a']);
  });

  it('keeps a value in use however many others pass through', () => {
    const cache = new BoundedCache<number>(64);
    let makes = 0;
    for (let i = 0; i < 10_000; i++) {
      cache.get('hot', () => ++makes);
      cache.get(`cold ${i}`, () => 0);
    }
    expect(makes).toBe(1);
  });

  it('keeps nothing when `make` throws', () => {
    const cache = new BoundedCache<number>(4);
    expect(() => cache.get('x', () => { throw new Error('refused'); })).toThrow('refused');
    expect(cache.get('x', () => 7)).toBe(7);
  });
});
