#!/usr/bin/env node
/**
 * `ch-conformance <dir>`: replays every transcript under `<dir>` (the `fixtures/transcripts/` JSON
 * format) against @ch/client. One line per transcript, then `N passed, M failed, K skipped`; the
 * exit code is 1 if any failed.
 */
import { resolve } from 'node:path';
import { runDirectory, summary } from './runner.js';

async function main(dir: string | undefined): Promise<number> {
  if (dir === undefined) {
    process.stderr.write('usage: ch-conformance <transcripts directory>\n');
    return 2;
  }
  const outcomes = await runDirectory(resolve(dir), (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`${summary(outcomes)}\n`);
  return outcomes.some((o) => o.status === 'fail') ? 1 : 0;
}

main(process.argv[2]).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
