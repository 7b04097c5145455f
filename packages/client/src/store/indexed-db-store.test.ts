/**
 * IndexedDbStore needs a browser's IndexedDB: its contract (durable saves, bigints, foreign
 * records, schema versions) is tested in a real Chromium, browser.test.ts. In Node it is refused.
 */
import { expect, test } from 'vitest';
import { IndexedDbStore } from './indexed-db-store.js';

test('without a global indexedDB (Node) the store refuses at once, with a typed error', () => {
  expect(() => new IndexedDbStore()).toThrow(expect.objectContaining({ kind: 'store', message: expect.stringContaining('no IndexedDB') }));
});
