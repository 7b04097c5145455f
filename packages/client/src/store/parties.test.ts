/**
 * The store with real channels on @ch/node: both parties of a channel in one process, on one store
 * directory (the README's first example with the default store), keep a record each and both
 * reestablish after `leave()`; a second instance of one party gets a typed error while the first
 * runs, and takes over once it ended.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { Channel } from '../channel.js';
import { StoreError } from '../errors.js';
import { secretKeySigner } from '../signer.js';
import { openPair, type Pair } from '../test-support/pair.js';
import { LogStore } from './log-store.js';

let dir: string;
let pair: Pair | undefined;
const channels: Channel[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ch-parties-'));
});
afterEach(async () => {
  for (const c of channels.splice(0)) c.disconnect();
  await pair?.close();
  pair = undefined;
  rmSync(dir, { recursive: true, force: true });
});

test('two parties in one process on one store keep a record each, and both reestablish after leave', async () => {
  // One store instance for both, as `defaultStore()` gives both the same directory.
  const store = new LogStore(dir);
  pair = await openPair('current', { initiator: { store, keepRunning: false }, responder: { store: new LogStore(dir), keepRunning: false } });
  const { initiator: I, responder: R, i, r, node } = pair;
  const channelId = I.channelId!;
  expect(await I.transfer(i.publicKey, r.publicKey, 5n)).toBe(2n);
  expect(await R.transfer(r.publicKey, i.publicKey, 2n)).toBe(3n);
  const [ri, rr] = await Promise.all([store.load(channelId, 'initiator'), store.load(channelId, 'responder')]);
  expect([ri?.role, ri?.state.round, rr?.role, rr?.state.round]).toEqual(['initiator', 3n, 'responder', 3n]);

  await Promise.all([I.leave(), R.leave()]);
  // Without a role the store cannot tell whose record to take: a typed error, nothing dialled.
  await expect(Channel.reconnect({ url: node.url, channelId, store, signer: secretKeySigner(i.secretKey) })).rejects.toMatchObject({ kind: 'store', code: 'ambiguous' });
  const back = await Promise.all([
    Channel.reestablish({ url: node.url, channelId, role: 'initiator', store, signer: secretKeySigner(i.secretKey), port: 13179 }),
    Channel.reestablish({ url: node.url, channelId, role: 'responder', store, signer: secretKeySigner(r.secretKey), port: 13179 }),
  ]);
  channels.push(...back);
  expect(back.map((c) => [c.role, c.round])).toEqual([['initiator', 3n], ['responder', 3n]]);
  expect(await back[1]!.transfer(r.publicKey, i.publicKey, 1n)).toBe(4n);
});

test('a second instance of one party gets a typed error while the first runs, and takes over once it ended', async () => {
  pair = await openPair('current', { initiator: { store: new LogStore(dir), keepRunning: true } });
  const { initiator: I, i, r, node } = pair;
  const channelId = I.channelId!;
  expect(await I.transfer(i.publicKey, r.publicKey, 5n)).toBe(2n);
  // The opened channel holds its record's lock from its first save on.
  const second = await Channel.reconnect({ url: node.url, channelId, role: 'initiator', store: new LogStore(dir), signer: secretKeySigner(i.secretKey) }).catch((e: unknown) => e);
  expect(second).toBeInstanceOf(StoreError);
  expect(second).toMatchObject({ kind: 'store', code: 'locked' });
  expect(await I.transfer(i.publicKey, r.publicKey, 1n)).toBe(3n);

  // Ended, its record is free at once: no wait for the socket to close.
  I.disconnect();
  const back = await Channel.reestablish({ url: node.url, channelId, role: 'initiator', store: new LogStore(dir), signer: secretKeySigner(i.secretKey), port: 13179 });
  channels.push(back);
  expect(back.round).toBe(3n);
  // And it holds the lock in turn.
  await expect(new LogStore(dir).lock(channelId, 'initiator')).rejects.toMatchObject({ code: 'locked' });
  expect(await back.transfer(i.publicKey, r.publicKey, 1n)).toBe(4n);
});
