import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seedSteps } from './seed.js';

const transcript = JSON.parse(readFileSync(new URL('../../../../shared/transcripts/seed/000_16b59c4208d5b87d.json', import.meta.url), 'utf8'));

describe('seed tour', () => {
  const steps = seedSteps(transcript.steps);

  it('finds the five proposals and the four client signatures of the seed', () => {
    expect(steps.map((s) => [s.actor, s.method])).toEqual([
      ['initiator', 'channels.sign.update'],
      ['initiator', 'channels.update'],
      ['responder', 'channels.sign.update'],
      ['responder', 'channels.update'],
      ['responder', 'channels.sign.update'],
      ['initiator', 'channels.sign.update'],
      ['responder', 'channels.update'],
      ['initiator', 'channels.update'],
      ['initiator', 'channels.sign.update'],
    ]);
    expect(steps.every((s) => s.round === 6n)).toBe(true);
    expect(steps.filter((s) => s.signers.length === 1)).toHaveLength(4);
  });

  it('re-derives every proposed state hash from the round-5 balances', () => {
    const proposals = steps.filter((s) => s.derivedStateHash !== undefined);
    expect(proposals).toHaveLength(5);
    for (const p of proposals) expect(p.derivedStateHash).toBe(p.stateHash);
  });
});
