/**
 * 100,000 mutations of real messages (fields removed, wrong types, huge numbers, broken
 * prefixes and checksums, truncated or corrupted text): parseMessage never throws, and every
 * refusal is an RpcError whose message names a path or the fault. Seeded, so failures replay.
 */
import { describe, expect, it } from 'vitest';
import { parseJson, parseMessage, RpcError, stringifyJson, stringifyMessage, type JsonValue } from './index.js';
import { loadTranscripts, wireMessages } from './test-support/transcripts.js';
import { seededRandom } from '../../../tools/seeded-random.js';

const MUTATIONS = 100_000;
const SEED = 0x5eed;


type Container = JsonValue[] | { [key: string]: JsonValue };
type Slot = { parent: Container; key: string | number };

function slots(v: JsonValue, out: Slot[] = []): Slot[] {
  if (typeof v !== 'object' || v === null) return out;
  for (const key of Array.isArray(v) ? v.keys() : Object.keys(v)) {
    out.push({ parent: v, key });
    slots((v as Record<string | number, JsonValue>)[key] as JsonValue, out);
  }
  return out;
}

const WRONG_VALUES: readonly JsonValue[] = [
  null,
  true,
  0,
  -1,
  1.5,
  '',
  'ABCDEFG',
  '1',
  [],
  {},
  [1, 'x'],
  { op: 'OffChainTransfer' },
  2n ** 64n,
  -(10n ** 40n),
  70000,
];

describe('fuzz', () => {
  it(`survives ${MUTATIONS.toLocaleString('en-US')} mutations of real messages with RpcErrors only`, () => {
    const rand = seededRandom(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const corpus = wireMessages(loadTranscripts());
    const outcomes = new Map<string, number>();

    const mutators: ((text: string) => string)[] = [
      // Remove a member or element.
      (text) => editTree(text, (s) => (Array.isArray(s.parent) ? s.parent.splice(s.key as number, 1) : delete s.parent[s.key as string])),
      // Put a value of the wrong type (or a huge integer) in its place.
      (text) => editTree(text, (s) => ((s.parent as Record<string, JsonValue>)[s.key] = pick(WRONG_VALUES))),
      // Break an encoded string: its prefix, one character, or its length.
      (text) =>
        editTree(text, (s) => {
          const v = (s.parent as Record<string, JsonValue>)[s.key];
          if (typeof v !== 'string') return;
          const i = Math.floor(rand() * v.length);
          const broken = [`zz${v.slice(2)}`, v.slice(0, i) + pick(['1', 'A', '_', '+', 'é']) + v.slice(i + 1), v.slice(0, i)];
          (s.parent as Record<string, JsonValue>)[s.key] = pick(broken);
        }),
      // Numbers beyond any range, spelt in ways JSON allows.
      (text) => text.replace(/-?\d+/, pick(['1e400', '-0', '99999999999999999999999999999999999999', '0.1', '1E2', '-9007199254740993'])),
      // Truncate the text.
      (text) => text.slice(0, Math.floor(rand() * text.length)),
      // Corrupt one character of the text.
      (text) => {
        const i = Math.floor(rand() * text.length);
        return text.slice(0, i) + pick(['"', '{', ']', ',', ':', '\\', '\u0000', 'x', '9']) + text.slice(i + 1);
      },
    ];

    function editTree(text: string, edit: (s: Slot) => unknown): string {
      let tree: JsonValue;
      try {
        tree = parseJson(text);
      } catch {
        return text; // already broken by an earlier mutation
      }
      const all = slots(tree);
      if (all.length > 0) edit(pick(all));
      return stringifyJson(tree);
    }

    for (let n = 0; n < MUTATIONS; n++) {
      const m = pick(corpus);
      let text = pick(mutators)(m.text);
      if (rand() < 0.2) text = pick(mutators)(text);
      // Mostly the message's own direction; sometimes the other one, which must be refused cleanly too.
      const direction = (m.step.dir === 'send') !== rand() < 0.1 ? 'toNode' : 'fromNode';
      let r: ReturnType<typeof parseMessage>;
      try {
        r = parseMessage(text, direction);
      } catch (e) {
        throw new Error(`parseMessage threw ${String(e)} for ${direction} ${text.slice(0, 300)}`, { cause: e });
      }
      if (r.ok) {
        try {
          stringifyMessage(r.message);
        } catch (e) {
          throw new Error(`accepted but cannot print back: ${direction} ${text.slice(0, 300)}`, { cause: e });
        }
        outcomes.set('ok', (outcomes.get('ok') ?? 0) + 1);
        continue;
      }
      const e = r.error;
      if (!(e instanceof RpcError) || e.message.length === 0 || !(e.path || /expected|unknown|invalid/.test(e.message))) {
        throw new Error(`unhelpful error ${String(e)} for ${text.slice(0, 300)}`);
      }
      outcomes.set(e.code, (outcomes.get(e.code) ?? 0) + 1);
    }
    // Every kind of outcome occurs, so each path above was really exercised.
    expect([...outcomes.keys()].sort()).toEqual(['RPC_INVALID_PARAMS', 'RPC_INVALID_REQUEST', 'RPC_PARSE_ERROR', 'RPC_UNKNOWN_METHOD', 'ok']);
    expect([...outcomes.values()].reduce((a, b) => a + b)).toBe(MUTATIONS);
  });
});
