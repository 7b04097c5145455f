/**
 * The built CLI (`pnpm demo` runs exactly this file after the same build), spawned as a user
 * would: the default run, the seed transcript it writes (must show 1 and 2), JSON results against
 * a node started separately, and the one-line failures.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateKeyPair } from '@ch/codec';
import { startNode } from '@ch/node';
import { parseJson } from '@ch/rpc';
import { Buffer } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { beats, parseMarkdown, type Beat } from './markdown.js';
import { closedPort } from '../../../tools/closed-port.js';
import { SEED_TRANSCRIPT } from '../../../tools/fixtures.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(root, 'apps/demo/dist/index.js');
const seed = beats(parseMarkdown(readFileSync(SEED_TRANSCRIPT, 'utf8')));
let dir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function demo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    // Piped, as in CI; NO_COLOR unset, so plain output comes from stdout not being a TTY.
    const childEnv = { ...process.env, NO_COLOR: '', ...env };
    execFile(process.execPath, [cli, ...args], { env: childEnv, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

// Built asynchronously: a build that blocked the event loop for longer than CH_WATCHDOG_MS would be
// taken for a hung test (tools/watchdog.ts).
beforeAll(async () => {
  await promisify(execFile)(join(root, 'node_modules/.bin/turbo'), ['run', 'build', '--filter=demo...', '--output-logs=errors-only'], { cwd: root });
  dir = mkdtempSync(join(tmpdir(), 'ch-demo-'));
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ch-demo', () => {
  test('with no options: the whole story on the embedded node, exit 0, final balances, plain text when piped', async () => {
    const run = await demo([]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('\x1b[');
    expect(run.stdout).toMatch(/^━━ open: /);
    expect(run.stdout).toContain('\n#### initiator ---> node\n```javascript\n');
    for (const step of ['open', 'transfers', 'race', 'race-back', 'balances', 'abort', 'pay', 'deposit', 'withdraw', 'message', 'leave', 'reestablish', 'close']) {
      expect(run.stdout).toContain(`\n✔ ${step} (`);
    }
    expect(run.stdout).toContain('conflict initiator: code 147 "user-defined" at round 5');
    expect(run.stdout).toMatch(/Final channel balances: initiator 99999999998799, responder 20000000001201\nFinal on-chain balances: initiator \d+, responder \d+\n$/);
  });

  test('--quiet prints the summaries only; --list the scenarios', async () => {
    const quiet = await demo(['--quiet', '--scenario', 'message']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toContain('####');
    expect(quiet.stdout.match(/^✔ \w+/gm)).toEqual(['✔ open', '✔ message', '✔ close']);
    const list = await demo(['--list']);
    expect(list.stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[0])).toEqual(['tour', 'conflict', 'on-chain', 'reconnect', 'message']);
  });

  /**
   * Must show 2. The seed starts at round 5 with the first race; so does the scenario's transcript
   * (opening and rounds 2–5 are its setup). Each client's own beats must be the seed's, in order.
   * Across the two clients, only inside a race may the order differ: there it is decided by the
   * timing of two independent sockets (whose signature reaches the node first, which FSM reports
   * first), as it was when the seed was recorded.
   */
  test('--scenario conflict --transcript out.md: the seed beats (actor, direction, method, error code, round)', async () => {
    const out = join(dir, 'out.md');
    const run = await demo(['--scenario', 'conflict', '--transcript', out]);
    expect(run.code).toBe(0);
    const ours = beats(parseMarkdown(readFileSync(out, 'utf8')));
    expect(ours).toHaveLength(seed.length);
    const of = (seq: readonly Beat[], actor: Beat['actor']) => seq.filter((b) => b.actor === actor);
    expect(of(ours, 'initiator')).toEqual(of(seed, 'initiator'));
    expect(of(ours, 'responder')).toEqual(of(seed, 'responder'));
    // The seed's races are beats 0–9 and 10–19: two update.new, two sign.update, two update, four conflicts each.
    const races = [[0, 10], [10, 20]] as const;
    for (const [start, end] of reorderedWindows(ours, seed)) {
      expect(races.some(([from, to]) => from <= start && end <= to), `beats ${start}–${end - 1} out of the seed's order`).toBe(true);
    }
  });

  test('--node with a separately started node, keys from the environment, --json results', async () => {
    const [i, r] = [generateKeyPair(), generateKeyPair()];
    const node = await startNode({ networkId: 'ae_demo_test', profile: 'seed', accounts: [i, r].map((k) => ({ publicKey: k.publicKey, balance: 10n ** 18n })) });
    try {
      const hex = (secret: Uint8Array) => Buffer.from(secret).toString('hex');
      const run = await demo(['--node', node.url, '--network-id', 'ae_demo_test', '--scenario', 'conflict', '--json'], { CH_INITIATOR_SECRET: hex(i.secretKey), CH_RESPONDER_SECRET: hex(r.secretKey) });
      expect(run.code).toBe(0);
      const result = parseJson(run.stdout) as { accounts: unknown; steps: { name: string; round: number; balances: unknown; conflicts: { party: string; code: number; round: number }[] }[] };
      expect(result.accounts).toEqual({ initiator: i.publicKey, responder: r.publicKey });
      expect(result.steps.map((s) => [s.name, s.round])).toEqual([['open', 1], ['transfers', 5], ['race', 5], ['race-back', 5], ['balances', 5], ['abort', 5], ['balances', 5], ['hang-up', 5]]);
      expect(result.steps.every((s) => JSON.stringify(s.balances) === '{"initiator":69999999999999,"responder":40000000000001}')).toBe(true);
      expect(result.steps.find((s) => s.name === 'abort')?.conflicts).toEqual([{ party: 'initiator', round: 5, code: 147, message: 'user-defined', stray: false }]);
    } finally {
      await node.stop();
    }
  });

  test('an unreachable --node: exit 1 and one line saying so, no stack trace', async () => {
    const port = await closedPort();
    const key = Buffer.from(generateKeyPair().secretKey).toString('hex');
    const run = await demo(['--node', `ws://127.0.0.1:${port}/channel`, '--network-id', 'ae_uat', '--initiator-key', key, '--responder-key', key]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`ch-demo: cannot reach the node at ws://127.0.0.1:${port}/channel: connection refused (is the node running?)\n`);
  });

  test('--node without keys, or a bad option: exit 2 and what is missing', async () => {
    const run = await demo(['--node', 'ws://127.0.0.1:3014/channel', '--network-id', 'ae_uat'], { CH_INITIATOR_SECRET: '', CH_RESPONDER_SECRET: '' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ch-demo: --node needs the initiator's secret key: --initiator-key or CH_INITIATOR_SECRET/);
    const bad = await demo(['--scenario', 'nope']);
    expect([bad.code, bad.stderr.split('\n')[0]]).toEqual([2, 'ch-demo: unknown scenario "nope"; --list shows them']);
  });
});

/** The [start, end) windows where `a` and `b` differ; each closes once both hold the same beats. */
function reorderedWindows(a: readonly Beat[], b: readonly Beat[]): [number, number][] {
  const key = (beat: Beat | undefined) => JSON.stringify(beat, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  const windows: [number, number][] = [];
  const balance = new Map<string, number>();
  let start: number | undefined;
  for (let k = 0; k < Math.max(a.length, b.length); k++) {
    const [x, y] = [key(a[k]), key(b[k])];
    if (x === y && start === undefined) continue;
    start ??= k;
    balance.set(x, (balance.get(x) ?? 0) + 1);
    balance.set(y, (balance.get(y) ?? 0) - 1);
    if ([...balance.values()].every((n) => n === 0)) {
      windows.push([start, k + 1]);
      start = undefined;
      balance.clear();
    }
  }
  if (start !== undefined) windows.push([start, Math.max(a.length, b.length)]);
  return windows;
}
