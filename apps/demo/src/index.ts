#!/usr/bin/env node
/**
 * `pnpm demo`: until the channel demo lands, a tour of the seed transcript's transactions.
 * usage: ch-demo [path/to/seed.json]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seedSteps } from './seed.js';

const defaultSeed = fileURLToPath(new URL('../../../../shared/transcripts/seed/000_16b59c4208d5b87d.json', import.meta.url));
const path = process.argv[2] ?? defaultSeed;
// Only strings are read from the transcript, so plain JSON.parse loses nothing that matters here.
const transcript = JSON.parse(readFileSync(path, 'utf8')) as { steps: Parameters<typeof seedSteps>[0] };
const short = (s: string) => `${s.slice(0, 11)}…`;

console.log(`Seed transcript: ${path}\n`);
let mismatches = 0;
for (const step of seedSteps(transcript.steps)) {
  const derived = step.derivedStateHash === undefined ? '' : step.derivedStateHash === step.stateHash ? '  = re-derived from balances' : '  ≠ re-derived!';
  if (step.derivedStateHash !== undefined && step.derivedStateHash !== step.stateHash) mismatches++;
  const signers = step.signers.length ? `signed by ${step.signers.map(short).join(', ')}` : 'unsigned';
  console.log(`${step.actor.padEnd(9)} ${step.method.padEnd(20)} round ${step.round}  ${short(step.stateHash)}${derived}  ${signers}`);
}
console.log(`\n${mismatches === 0 ? 'Every proposed state hash matches the balances it claims.' : `${mismatches} state hashes do not match!`}`);
process.exitCode = mismatches === 0 ? 0 : 1;
