/**
 * The published packages as a user gets them: `pnpm pack` each one, install the tarballs into a
 * fresh consumer with npm, then use them the ways users do — an ESM script, a CommonJS script,
 * `tsc` under node16 (ESM and CommonJS) and bundler resolution, arethetypeswrong on each tarball,
 * and an esbuild browser bundle evaluated without Node's globals. Needs the npm registry for the
 * packages' own dependencies, as any install does.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PUBLISHED = ['codec', 'rpc', 'client', 'node'] as const;
const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');
const ATTW = join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js');

interface Manifest {
  name: string;
  version: string;
  exports: Record<string, unknown>;
  main?: string;
  module?: string;
  types?: string;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}
interface Packed {
  tarball: string;
  files: string[];
  manifest: Manifest;
}

let work: string;
let consumer: string;
const packed = new Map<string, Packed>();

async function sh(command: string, args: string[], cwd: string, timeout = 120_000): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, timeout, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } });
    return stdout;
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    // Only the lines that say what went wrong: tsc --explainFiles lists hundreds of files.
    const said = `${stdout ?? ''}\n${stderr ?? ''}`.split('\n').filter((l) => /error|problem|fail|not found|cannot/i.test(l));
    throw Object.assign(new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${said.slice(0, 40).join('\n')}`, { cause: e }), { stdout: stdout ?? '' });
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ch-packaging-'));
  // Cached by turbo when `pnpm test` has just built everything.
  await sh('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', ...PUBLISHED.map((p) => `--filter=@ch/${p}`)], ROOT, 300_000);
  const packs = join(work, 'packs');
  for (const name of PUBLISHED) {
    const out = await sh('pnpm', ['pack', '--json', '--pack-destination', packs], join(ROOT, 'packages', name));
    const { filename, files } = JSON.parse(out) as { filename: string; files: { path: string }[] };
    const listing = await sh('tar', ['-xOzf', filename, 'package/package.json'], work);
    packed.set(name, { tarball: filename, files: files.map((f) => f.path).sort(), manifest: JSON.parse(listing) as Manifest });
  }

  consumer = join(work, 'consumer');
  cpSync(fileURLToPath(new URL('consumer/', import.meta.url)), consumer, { recursive: true });
  const dependencies = Object.fromEntries([...packed].map(([name, p]) => [`@ch/${name}`, `file:${p.tarball}`]));
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { ...dependencies, '@types/node': '20.19.43' } }));
  await sh('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], consumer, 240_000);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('each tarball', () => {
  test.each(PUBLISHED)('@ch/%s ships its license, readme and builds, and nothing of the workspace', (name) => {
    const { files, manifest } = packed.get(name)!;
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    expect(files.filter((f) => !/^(dist|bin)\//.test(f) && !['LICENSE', 'README.md', 'package.json'].includes(f))).toEqual([]);
    const text = JSON.stringify(manifest);
    expect(text).not.toContain('@ch/source');
    expect(text).not.toContain('workspace:');
    expect(text).not.toContain('./src/');
    for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) if (dep.startsWith('@ch/')) expect(range).toBe(manifest.version);
  });

  test.each(PUBLISHED)('@ch/%s ships no build output that nothing refers to', async (name) => {
    const { tarball, files, manifest } = packed.get(name)!;
    const targets = new Set<string>();
    const collect = (v: unknown): void => {
      if (typeof v === 'string') targets.add(v.replace(/^\.\//, ''));
      else if (v && typeof v === 'object') Object.values(v).forEach(collect);
    };
    collect([manifest.exports, manifest.main, manifest.module, manifest.types, manifest.bin]);
    // What the manifest names, and what those files import by relative path (code-split chunks,
    // the bin's module), each with its source map.
    const queue = [...targets];
    for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
      if (!/\.c?js$/.test(file) || !files.includes(file)) continue;
      const text = await sh('tar', ['-xOzf', tarball, `package/${file}`], work);
      for (const [, specifier] of text.matchAll(/(?:from|import|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const imported = join(dirname(file), specifier!);
        if (!targets.has(imported)) queue.push(imported);
        targets.add(imported);
      }
    }
    expect(files.filter((f) => f !== 'package.json' && !targets.has(f) && !targets.has(f.replace(/\.map$/, '')) && !['LICENSE', 'README.md'].includes(f))).toEqual([]);
    for (const target of targets) expect(files, `${name}: ${target} is referenced but not shipped`).toContain(target);
  });

  test.each(PUBLISHED)('@ch/%s has no type-resolution problems (arethetypeswrong)', async (name) => {
    // attw exits 1 when it finds problems; its JSON report says which.
    const out = await sh(process.execPath, [ATTW, packed.get(name)!.tarball, '--format', 'json'], work).catch((e: { stdout: string }) => e.stdout);
    const report = JSON.parse(out.slice(out.indexOf('{'))) as { problems: Record<string, unknown> };
    expect(report.problems).toEqual({});
  });
});

describe('installed in a fresh consumer', () => {
  test.each([
    ['esm', 'esm.mjs'],
    ['cjs', 'cjs.cjs'],
  ])('a %s script opens a channel on @ch/node, transfers and closes it', async (format, script) => {
    const out = await sh(process.execPath, [script], consumer, 60_000);
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(result).toMatchObject({ format, round: '2', balance: '4000000000000000010', closeTx: 'ChannelCloseMutualTx', roundTrip: '{"n":123456789012345678901234567890}' });
    expect(String(result.channelId)).toMatch(/^ch_/);
  });

  test.each([
    ['node16, ESM', 'module', { module: 'node16', moduleResolution: 'node16', types: ['node'] }, () => 'index.d.ts'],
    ['node16, CommonJS', 'commonjs', { module: 'node16', moduleResolution: 'node16', types: ['node'] }, () => 'index.d.cts'],
    // A browser bundler (Vite, esbuild) adds the `browser` condition and has no Node types.
    ['bundler, browser', 'module', { module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [], customConditions: ['browser'] }, (name: string) => (name === 'client' ? 'browser.d.ts' : 'index.d.ts')],
  ] as const)('tsc type-checks a consumer under %s', async (label, type, options, declarations) => {
    const dir = join(consumer, `tsc-${label.replace(/\W+/g, '-')}`);
    mkdirSync(dir);
    cpSync(join(consumer, 'usage.ts'), join(dir, 'usage.ts'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type }));
    const compilerOptions = { target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, ...options };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['usage.ts'] }));
    const explained = await sh(process.execPath, [TSC, '-p', dir, '--explainFiles'], dir, 120_000);
    for (const name of PUBLISHED) {
      // Every declaration file tsc loaded of the package is the one of this mode's condition.
      const loaded = explained.split('\n').map((line) => line.trim()).filter((line) => line.includes(`node_modules/@ch/${name}/dist/`) && /\.d\.c?ts$/.test(line));
      expect(loaded.map((line) => line.slice(line.lastIndexOf('/') + 1)), `@ch/${name} declarations`).toEqual([declarations(name)]);
    }
  });

  test('esbuild bundles the client for the browser with no Node built-ins, and the bundle runs without them', async () => {
    const result = await build({
      absWorkingDir: consumer,
      entryPoints: ['browser.mjs'],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('node_modules/@ch/client/dist/browser.js');
    expect(inputs.filter((i) => /node_modules\/ws\//.test(i) || i.startsWith('node:'))).toEqual([]);
    const context: Record<string, unknown> = { crypto: globalThis.crypto, TextEncoder, TextDecoder, console };
    context.globalThis = context;
    runInNewContext(result.outputFiles[0]!.text, context);
    expect(context.packagingResult).toMatchObject({ channel: 'function', store: 'function', unpack: 'function', parsed: '123456789012345678901234567890' });
    expect(String((context.packagingResult as { publicKey: string }).publicKey)).toMatch(/^ak_/);
  });

  test('the ch-node bin runs from the installed package', async () => {
    const out = await sh('npx', ['--no-install', 'ch-node', '--version'], consumer, 30_000);
    expect(out.trim()).toContain(packed.get('node')!.manifest.version);
    expect(readdirSync(join(consumer, 'node_modules/@ch/node/dist'))).not.toContain('cli.cjs');
  });
});
