/** The seed's markdown format: read back (the seed itself) and written by us, losslessly. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { beats, parseMarkdown, toMarkdown } from './markdown.js';
import type { WireEntry } from './transcript.js';
import { SEED_TRANSCRIPT } from '../../../tools/fixtures.mjs';

const seedText = readFileSync(SEED_TRANSCRIPT, 'utf8');

describe('the seed transcript format', () => {
  test('the seed reads back as 29 messages and 2 hang-ups: 30 beats, eight race conflicts (code 2) and the abort (147), all at round 5', () => {
    const entries = parseMarkdown(seedText);
    expect(entries).toHaveLength(31);
    expect(entries.filter((e) => e.dir === 'close')).toEqual([{ actor: 'initiator', dir: 'close' }, { actor: 'responder', dir: 'close' }]);
    const seed = beats(entries);
    expect(seed).toHaveLength(30); // the "ok" acknowledging the abort is not a beat
    expect(seed.filter((b) => b.method === 'channels.conflict').map((b) => [b.errorCode, b.round])).toEqual([...Array<[number, bigint]>(8).fill([2, 5n]), [147, 5n]]);
    expect(seed.filter((b) => b.method === 'channels.update' && b.dir === 'send').map((b) => b.round ?? b.errorCode)).toEqual([6n, 6n, 6n, 6n, 147]);
    expect(seed.filter((b) => b.method === 'channels.get.balances').map((b) => b.dir)).toEqual(['send', 'recv', 'send', 'recv']);
  });

  test('our writer prints the seed as the seed prints itself, and what it writes reads back exactly', () => {
    expect(toMarkdown(parseMarkdown(seedText))).toBe(seedText);
    const entries: WireEntry[] = [
      { actor: 'initiator', dir: 'send', message: { jsonrpc: '2.0', id: -576460752303423253n, method: 'channels.get.balances', params: { accounts: [] } } },
      { actor: 'responder', dir: 'recv', message: { jsonrpc: '2.0', id: 1, result: [{ balance: 2n ** 64n + 1n }] } },
      { actor: 'responder', dir: 'close' },
    ];
    expect(parseMarkdown(toMarkdown(entries))).toEqual(entries);
  });
});
