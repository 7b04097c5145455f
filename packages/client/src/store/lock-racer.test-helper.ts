/**
 * A process that races others for one record's lock, for file-lock.test.ts: argv is the directory
 * and the store (`log` or `file`). Ready once its store is built, it asks for the lock when a line
 * comes on stdin, prints `won` or the StoreError's code, and holds what it got until stdin ends.
 */
import { createInterface } from 'node:readline';
import { FileStore } from './file-store.js';
import { LogStore } from './log-store.js';
import { CHANNEL } from './sample-record.test-helper.js';

const [dir = '', kind] = process.argv.slice(2);
const store = kind === 'log' ? new LogStore(dir) : new FileStore(dir);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
process.stdout.write('ready\n');
await lines.next();
const outcome = await store.lock(CHANNEL, 'initiator').then(
  () => 'won',
  (e: { code?: string }) => e.code ?? String(e),
);
process.stdout.write(`${outcome}\n`);
await lines.next();
process.exit(0);
