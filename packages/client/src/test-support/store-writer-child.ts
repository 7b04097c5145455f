/**
 * A process that writes one record to a store as fast as it can, for log-store.test.ts to SIGKILL
 * mid-write: argv is the directory and the store (`log` or `file`). It locks the record, then
 * goes on from the stored round, saving round after round as a transfer does (pending, then its confirmation), printing each
 * confirmed round once its save resolved.
 */
import { FileStore } from '../store/file-store.js';
import { LogStore } from '../store/log-store.js';
import { CHANNEL, sampleRecord } from '../store/sample-record.test-helper.js';

const [dir = '', kind] = process.argv.slice(2);
// A small log, so compaction (and its temporary file) happens every few saves.
const store = kind === 'log' ? new LogStore(dir, { compactAt: 8192 }) : new FileStore(dir);
await store.lock(CHANNEL, 'initiator');
process.stdout.write('locked\n');
// On from where the last writer was killed, as a restarted client goes on from its record.
for (let round = (await store.load(CHANNEL, 'initiator'))?.state.round ?? 1n; ; round += 1n) {
  await store.save(sampleRecord(round, true));
  await store.save(sampleRecord(round + 1n));
  process.stdout.write(`${round + 1n}\n`);
}
