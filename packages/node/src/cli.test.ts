/**
 * `ch-node` in a child process, as a user runs it: help and version, one-line usage errors, the
 * dev accounts it prints (those of `devAccounts`, the same every run, the README's sample), how it
 * stops, and a port in use. That the printed accounts are funded and open channels through
 * @ch/client is packages/client/src/dev-node.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { toHex } from '@ch/codec';
import { describe, expect, it } from 'vitest';
import { runChNode, useChNode } from '../../../tools/ch-node-process.js';
import { DEV_SEED, devAccounts } from './dev-accounts.js';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const READY = 'Listening. Ctrl-C stops the node.';

interface Banner {
  url: string;
  networkId: string;
  profile: string;
  seed: string;
  accounts: { index: number; publicKey: string; secretKey: string; balance: string }[];
  funded: { publicKey: string; balance: string }[];
}

const chNode = useChNode('ch-node-cli-');
const start = (args: readonly string[]) => chNode.start(args);

async function json(args: readonly string[]): Promise<Banner> {
  return JSON.parse(await start([...args, '--json']).line((l) => l.startsWith('{'))) as Banner;
}

/** Whether anything accepts a TCP connection at `port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true)).once('error', () => done(false));
    socket.setTimeout(5_000, () => done(false));
  });
}

describe('ch-node', () => {
  it.each([['--help'], ['-h']])('%s prints the usage with every option and its default, exit 0', async (flag) => {
    const run = await runChNode(chNode.cli, [flag]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Usage: ch-node \[options\]\n/);
    for (const option of ['--host HOST', '-p, --port PORT', '--network-id ID', '--profile NAME', '--seed SEED', '-a, --accounts N', '--balance AETTOS', '--fund ACCOUNTS', '--json', '-h, --help', '-V, --version']) {
      expect(run.stdout).toContain(`\n  ${option} `);
    }
    for (const byDefault of ['127.0.0.1', '3014', 'ae_devnet', 'current', DEV_SEED, '10', String(10n ** 24n)]) expect(run.stdout).toContain(`(default ${byDefault}`);
  });

  it.each([['--version'], ['-V']])('%s prints the package version, exit 0', async (flag) => {
    expect(await runChNode(chNode.cli, [flag])).toMatchObject({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });

  describe('bad options: exit 2, one line on stderr naming the problem, nothing started', () => {
    const dev0 = devAccounts(DEV_SEED, 1)[0]!.publicKey;
    const notJson = (): string => {
      const file = join(chNode.dir, 'not-json.json');
      writeFileSync(file, '[{"publicKey": ');
      return file;
    };
    const cases: [string, () => string[], RegExp][] = [
      ['an unknown option', () => ['--bogus'], /Unknown option '--bogus'/],
      ['a positional argument', () => ['3014'], /Unexpected argument '3014'/],
      ['a port past 65535', () => ['--port', '65536'], /--port must be an integer from 0 to 65535, got "65536"/],
      ['a port that is not a number', () => ['-p', 'http'], /--port must be an integer/],
      ['a negative port', () => ['--port=-1'], /--port must be an integer/],
      ['a missing value', () => ['--port'], /--port <value>' argument missing/],
      ['a fractional account count', () => ['--accounts', '1.5'], /--accounts must be an integer from 0 to 10000/],
      ['too many accounts', () => ['-a', '10001'], /--accounts must be an integer from 0 to 10000, got "10001"/],
      ['a balance in exponent form', () => ['--balance', '1e24'], /--balance must be a whole number of aettos/],
      ['a negative balance', () => ['--balance=-5'], /--balance must be a whole number of aettos/],
      ['an unknown profile', () => ['--profile', 'lima'], /--profile must be current or seed, got "lima"/],
      ['an empty seed', () => ['--seed', ''], /--seed must not be empty/],
      ['an empty network id', () => ['--network-id', ''], /--network-id must not be empty/],
      ['a broken account key', () => ['--fund', 'ak_nope:1'], /--fund: "ak_nope" is not an account key/],
      ['an amount that is not a number', () => ['--fund', `${dev0}:lots`], /--fund ak_\w+ must be a whole number of aettos \(digits only\), got "lots"/],
      ['a key without an amount', () => ['--fund', dev0], /needs an amount/],
      ['a dev account funded again', () => ['--fund', `${dev0}:1`], /is funded twice/],
      ['a missing file', () => ['--fund', join(chNode.dir, 'nowhere.json')], /nowhere\.json: no such file/],
      ['a file that is not JSON', () => ['--fund', notJson()], /not JSON/],
      ['a value for a flag', () => ['--json=yes'], /'--json' does not take an argument/],
    ];
    it.each(cases)('%s', async (_name, args, message) => {
      const run = await runChNode(chNode.cli, args());
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^ch-node: [^\n]+ \(see ch-node --help\)\n$/);
      expect(run.stderr).toMatch(message);
    });
  });

  it("prints 10 funded dev accounts of the default seed with their secret keys, the URL, network id and profile: the README's sample", async () => {
    const child = start(['--port', '0']);
    await child.line((l) => l === READY);
    const expected = devAccounts(DEV_SEED, 10);
    const printed = [...child.stdout.matchAll(/^\((\d+)\) (ak_\w+)\n {4}secret key ([0-9a-f]{128})$/gm)].map((m) => [Number(m[1]), m[2], m[3]]);
    expect(printed).toEqual(expected.map((k, i) => [i, k.publicKey, toHex(k.secretKey)]));
    const port = /^WebSocket URL {2}ws:\/\/127\.0\.0\.1:(\d+)\/channel$/m.exec(child.stdout)?.[1];
    expect(Number(port)).toBeGreaterThan(0);
    expect(child.stdout).toContain('\nNetwork id     ae_devnet\nProfile        current\n');
    expect(child.stdout).toContain(`Buffer.from('${toHex(expected[0]!.secretKey)}', 'hex')`);
    // The README shows this output, as on the default port.
    const sample = /## A dev node[\s\S]*?```text\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(child.stdout.replaceAll(`127.0.0.1:${port}/`, '127.0.0.1:3014/').replace(/^ch-node \S+/, 'ch-node 0.0.0')).toBe(sample);
  });

  it('the same accounts every run; --seed, --accounts, --balance and --fund change them', async () => {
    const [first, second] = await Promise.all([json(['-p', '0']), json(['-p', '0'])]);
    expect(first.url).not.toBe(second.url);
    expect(second.accounts).toEqual(first.accounts);
    expect(first).toMatchObject({ networkId: 'ae_devnet', profile: 'current', seed: DEV_SEED, funded: [] });
    expect(first.accounts.map((a) => a.balance)).toEqual(Array(10).fill(String(10n ** 24n)));

    const extra = devAccounts('extra', 2).map((k) => k.publicKey);
    const file = join(chNode.dir, 'fund.json');
    writeFileSync(file, JSON.stringify([{ publicKey: extra[1], balance: '123456789012345678901234567890' }]));
    const other = await json(['-p', '0', '--seed', 'mine', '-a', '3', '--balance', '5', '--fund', `${extra[0]}:7`, '--fund', file, '--profile', 'seed', '--network-id', 'my_net']);
    expect(other.accounts.map((a) => [a.publicKey, a.balance])).toEqual(devAccounts('mine', 3).map((k) => [k.publicKey, '5']));
    expect(other.accounts.filter((a) => first.accounts.some((b) => b.publicKey === a.publicKey))).toEqual([]);
    expect(other.funded).toEqual([
      { publicKey: extra[0], balance: '7' },
      { publicKey: extra[1], balance: '123456789012345678901234567890' },
    ]);
    expect(other).toMatchObject({ networkId: 'my_net', profile: 'seed', seed: 'mine' });
    expect((await json(['-p', '0', '--accounts', '0'])).accounts).toEqual([]);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s stops it: exit 0, the port closed', async (signal) => {
    const child = start(['-p', '0', '-a', '1']);
    const port = Number(/:(\d+)\/channel$/.exec(await child.line((l) => l.startsWith('WebSocket URL')))![1]);
    await child.line((l) => l === READY);
    expect(await listening(port)).toBe(true);
    child.signal(signal);
    expect(await child.exit()).toEqual({ code: 0, signal: null });
    expect(child.stderr).toBe('');
    expect(await listening(port)).toBe(false);
  });

  it('a port in use: exit 1 and one line saying so', async () => {
    const { url } = await json(['-p', '0', '-a', '0']);
    const port = /:(\d+)\/channel$/.exec(url)![1]!;
    const run = await runChNode(chNode.cli, ['--port', port]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`ch-node: cannot listen on 127.0.0.1:${port}: the port is in use (another ch-node? pick one with --port)\n`);
  });
});
