/**
 * In Node, without a `store` option a channel keeps its co-signed states in `.ch-channels/` of the
 * working directory (a LogStore), and reestablishing without one finds them there. (The browser's default,
 * IndexedDB, is tested in a real Chromium: browser.test.ts.)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { Channel } from '../channel.js';
import { secretKeySigner } from '../signer.js';
import { openPair, type Pair } from '../test-support/pair.js';
import { DEFAULT_STORE_DIRECTORY } from '../platform/node.js';
import { defaultStore } from './default-store.js';
import { LogStore } from './log-store.js';
import { MemoryStore } from './store.js';

let pair: Pair | undefined;
const files: string[] = [];
afterEach(async () => {
  await pair?.close();
  pair = undefined;
  for (const file of files.splice(0)) rmSync(file, { force: true, recursive: true });
});

test('the default store is a LogStore in the working directory', () => {
  const store = defaultStore();
  expect(store).toBeInstanceOf(LogStore);
  expect((store as LogStore).directory).toBe(`${process.cwd()}/${DEFAULT_STORE_DIRECTORY}`);
});

test('a channel opened without a store can be reestablished without one', async () => {
  const responderStore = new MemoryStore();
  pair = await openPair('current', { initiator: { store: undefined, keepRunning: false }, responder: { store: responderStore, keepRunning: false } });
  const { initiator: I, responder: R, i, r, node } = pair;
  const channelId = I.channelId!;
  files.push(join(process.cwd(), DEFAULT_STORE_DIRECTORY, `${channelId}.initiator.log`));
  expect(await I.transfer(i.publicKey, r.publicKey, 5n)).toBe(2n);
  expect((await defaultStore().load(channelId))?.state.round).toBe(2n);

  await Promise.all([I.leave(), R.leave()]);
  const back = await Promise.all([
    Channel.reestablish({ url: node.url, channelId, signer: secretKeySigner(i.secretKey), port: 13179 }),
    Channel.reestablish({ url: node.url, channelId, store: responderStore, signer: secretKeySigner(r.secretKey), port: 13179 }),
  ]);
  try {
    expect(back.map((c) => c.round)).toEqual([2n, 2n]);
    expect(await back[0]!.transfer(i.publicKey, r.publicKey, 1n)).toBe(3n);
    expect((await defaultStore().load(channelId))?.state.round).toBe(3n);
  } finally {
    for (const c of back) c.disconnect();
  }
});

test('leave() resolves once the log is flushed and the record free: another instance takes its lock at once', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'ch-leave-'));
  files.push(directory);
  pair = await openPair('current', { initiator: { store: new LogStore(directory), keepRunning: false }, responder: { store: new MemoryStore(), keepRunning: false } });
  const { initiator: I, responder: R, i, r } = pair;
  const channelId = I.channelId!;
  // Our own proposals: written unflushed, each confirmation flushed in the background.
  for (let n = 0; n < 5; n++) await I.transfer(i.publicKey, r.publicKey, 1n);
  const leaving = [I.leave(), R.leave()];
  await leaving[0];
  // Released by then: its lock file is gone.
  expect(existsSync(join(directory, `${channelId}.initiator.lock`))).toBe(false);
  await leaving[1];
  const other = new LogStore(directory);
  const lock = await other.lock(channelId, 'initiator');
  try {
    expect((await other.load(channelId, 'initiator'))?.state.round).toBe(6n);
  } finally {
    await lock.release();
  }
});
