/**
 * The browser build in a real headless Chromium (Debian's `chromium`, driven by playwright-core).
 * The test bundles a page (test-support/browser-page.ts) the way an app would bundle the client,
 * `browser` condition on and nothing external, against the built dist/browser.js (what is
 * published, not the sources), and serves it from 127.0.0.1. The channel's
 * initiator lives in the page with the default store, IndexedDB on the profile's disk; the
 * responder lives here; the node is @ch/node. The page reloads mid-channel and comes back from
 * IndexedDB alone. IndexedDbStore's own contract (bigints, foreign records, schema versions) is
 * tested in the same page.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateKeyPair, toHex } from '@ch/codec';
import type { RunningNode } from '@ch/node';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Channel } from './channel.js';
import { sampleRecord } from './store/sample-record.test-helper.js';
import type { ChannelRecord } from './store/store.js';
import type { ChannelView, Outcome, PageApi } from './test-support/browser-page.js';
import { openOptions, SEED_TERMS, startTestNode } from './test-support/pair.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Every wait on the page ends by then; the client's own deadlines (below) are shorter. */
const PAGE_DEADLINE = 45_000;
/** The build of @ch/client and what it depends on, when turbo has no cached one. */
const BUILD_DEADLINE = 300_000;
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const run = promisify(execFile);

/** Builds @ch/client and what it depends on; cached by turbo when `pnpm test` has just built everything. */
async function buildClient(): Promise<void> {
  await run('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@ch/client', '--output-logs=errors-only'], { cwd: ROOT, timeout: BUILD_DEADLINE });
}

// Jest with jsdom, among others, `require`s with the `browser` condition added: Node's
// `--conditions=browser` is such a loader.
describe('the browser build under a loader that adds `browser`', () => {
  beforeAll(buildClient, BUILD_DEADLINE);

  test.each([
    ['require', [], `const client = require('@ch/client'); const resolved = require.resolve('@ch/client');`, 'dist/browser.cjs'],
    ['import', ['--input-type=module'], `import * as client from '@ch/client'; const resolved = import.meta.resolve('@ch/client');`, 'dist/browser.js'],
  ])('%s gets the browser build in its own module format, and it works', async (_how, flags, load, file) => {
    const report = `let store; try { client.defaultStore(); } catch (e) { store = e.kind + ': ' + e.message; }
      console.log(JSON.stringify({ resolved, names: Object.keys(client).sort(), store }));`;
    // From the package's own directory, `@ch/client` is the package itself, resolved by its manifest.
    const { stdout } = await run(process.execPath, ['--conditions=browser', ...flags, '-e', `${load}\n${report}`], { cwd: join(ROOT, 'packages/client'), timeout: 30_000 });
    const { resolved, names, store } = JSON.parse(stdout) as { resolved: string; names: string[]; store: string };
    expect(resolved.endsWith(`packages/client/${file}`)).toBe(true);
    expect(names).toEqual(expect.arrayContaining(['Channel', 'IndexedDbStore', 'MemoryStore', 'defaultStore']));
    expect(names.filter((name) => name === 'FileStore' || name === 'DEFAULT_STORE_DIRECTORY')).toEqual([]);
    // The browser's default store, refusing a runtime without IndexedDB with a typed error.
    expect(store).toBe('store: this runtime has no IndexedDB: pass a `store` that keeps records durably');
  });
});
const timeouts = { connect: 10_000, open: 30_000, update: 30_000 };

// Without Chromium the test cannot run; CI installs it (.ci/run), so there its absence fails.
const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true';
if (skip) console.warn(`browser.test.ts skipped: no ${CHROMIUM}; \`apt-get install chromium\` to run it`);

describe.skipIf(skip)('@ch/client in a real Chromium', () => {
  const i = generateKeyPair();
  const r = generateKeyPair();
  let node: RunningNode | undefined;
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let profile: string;
  let bundle: { code: string; inputs: string[] };
  let pageUrl: string;
  let responder: Channel | undefined;
  /** The page's uncaught errors, over every test. */
  const pageErrors: Error[] = [];

  /** Runs `fn` in the page with its API; never waits past the deadline. `fn` travels as source: it may use only its arguments. */
  function inPage<A, R>(fn: (api: PageApi, arg: A) => R | Promise<R>, arg: A): Promise<R> {
    const run = page.evaluate(async ([source, value]) => {
      const api = (globalThis as unknown as { page: PageApi }).page;
      return (0, eval)(`(${source})`)(api, value) as R;
    }, [fn.toString(), arg] as const);
    return deadline(run, `the page running ${fn.toString().slice(0, 60)}`);
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`CI=true and no ${CHROMIUM}: apt-get install chromium (see .ci/run)`);
    await buildClient();
    const built = await build({
      // Inputs are named from the repo's root.
      absWorkingDir: ROOT,
      entryPoints: [fileURLToPath(new URL('./test-support/browser-page.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      // As an app resolves the published package: `browser` picks dist/browser.js; without
      // `@ch/source` nothing resolves to the sources.
      conditions: ['browser'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    bundle = { code: built.outputFiles[0]!.text, inputs: Object.keys(built.metafile.inputs) };

    server = createServer((request, response) => {
      if (request.url === '/page.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle.code);
      else if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/page.js"></script>');
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;

    node = await startTestNode('current', [i, r]);
    // A profile on disk (not an incognito context), so IndexedDB is the one a user's browser keeps.
    profile = mkdtempSync(join(tmpdir(), 'ch-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, timeout: PAGE_DEADLINE });
    context.setDefaultTimeout(PAGE_DEADLINE);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e));
    await load(page, pageUrl);
  }, BUILD_DEADLINE + 120_000);

  afterAll(async () => {
    responder?.disconnect();
    await context?.close();
    await node?.stop();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('the bundle holds the built browser build, no source, and no Node module or shim', async () => {
    const client = bundle.inputs.filter((path) => path.includes('packages/client/') && !path.includes('/test-support/browser-page.ts'));
    expect(client).toEqual(['packages/client/dist/browser.js']);
    expect(bundle.inputs.filter((path) => /packages\/\w+\/src\//.test(path) && !path.endsWith('/test-support/browser-page.ts'))).toEqual([]);
    expect(bundle.inputs.filter((path) => /node_modules\/(\.pnpm\/)?(ws|buffer|process|events|util|stream|path-browserify)[@/]/.test(path))).toEqual([]);
    // No import of a module the page would have to get from somewhere.
    expect(bundle.code).not.toMatch(/\bimport\s*\(|\brequire\s*\(|^\s*import\s.*\sfrom\s/m);
    expect(await inPage((api) => api.nodeGlobals(), null)).toEqual([]);
  });

  test('a channel opened in the page with the default store survives a reload', async () => {
    // The page's own options: no signer (it makes its own from the key), no store (the default).
    const { signer: _signer, store: _store, role: _role, ...options } = openOptions(node!, i, r, 'initiator', { timeouts });
    const secret = toHex(i.secretKey);
    const [channelId, R] = await Promise.all([
      inPage((api, a) => api.open(a.options, a.secret), { options, secret }),
      Channel.open(openOptions(node!, i, r, 'responder', { timeouts })),
    ]);
    responder = R;
    expect(await inPage((api) => api.client.defaultStore() instanceof api.client.IndexedDbStore, null)).toBe(true);

    expect(await inPage((api, a) => api.transfer(a.from, a.to, 10n), { from: i.publicKey, to: r.publicKey })).toBe(2n);
    expect(await R.transfer(r.publicKey, i.publicKey, 3n)).toBe(3n);
    expect(await openAt(3n)).toEqual(viewOf(R));

    await load(page, pageUrl, true);
    expect(await inPage((api) => api.nodeGlobals(), null)).toEqual([]);
    await inPage((api, a) => api.reestablish(a.options, a.secret), { options: { url: node!.url, channelId, port: 13179, timeouts }, secret });
    const back = await view();
    expect(back.round).toBe(3n);
    expect(back).toEqual(viewOf(R));

    expect(await inPage((api, a) => api.transfer(a.from, a.to, 5n), { from: i.publicKey, to: r.publicKey })).toBe(4n);
    expect(await R.transfer(r.publicKey, i.publicKey, 1n)).toBe(5n);
    expect(await openAt(5n)).toEqual(viewOf(R));
    const stored = await inPage((api, id) => api.client.defaultStore().load(id), channelId);
    expect(stored?.state.round).toBe(5n);
    expect(stored?.state.tx).toBe(R.state?.tx);
    expect(R.balanceOf(i.publicKey)).toBe(SEED_TERMS.initiatorAmount - SEED_TERMS.pushAmount - 10n + 3n - 5n + 1n);
  });

  describe('IndexedDbStore', () => {
    const record = (round: bigint): ChannelRecord => sampleRecord(round, true);

    test('a record comes back whole, bigints past 64 bits included, in the database and object store named', async () => {
      const [first, then] = [record(2n ** 60n), sampleRecord(2n ** 60n + 2n)];
      const loaded = await inPage(async (api, [rec, next]) => {
        const options = { database: 'named-db', objectStore: 'named-store' };
        await new api.client.IndexedDbStore(options).save(rec);
        await new api.client.IndexedDbStore(options).save(next);
        const other = await new api.client.IndexedDbStore({ database: 'another-db' }).load(rec.channelId);
        return { back: await new api.client.IndexedDbStore(options).load(rec.channelId), other };
      }, [first, then] as const);
      expect(loaded).toEqual({ back: then, other: undefined });
    });

    test('a foreign or other-format value is a typed store error, not a record', async () => {
      const outcomes = await inPage(async (api, rec) => {
        const planted: Outcome<unknown>[] = [];
        const load = async (value: unknown) => {
          await api.plant('foreign', 'records', 1, `${rec.channelId}/${rec.role}`, value);
          planted.push(await api.outcome(() => new api.client.IndexedDbStore({ database: 'foreign' }).load(rec.channelId)));
        };
        await load({ format: 2, record: rec });
        await load({ format: 1, record: { ...rec, state: undefined } });
        await load('a string');
        return planted;
      }, record(1n));
      for (const outcome of outcomes) expect(outcome).toMatchObject({ error: { name: 'StoreError', kind: 'store', message: expect.stringContaining('not a channel record of format 1') } });
    });

    test("another channel's record under a channel's key, or a corrupted one, is a typed error to load and to reconnect from", async () => {
      const outcomes = await inPage(async (api, a) => {
        const store = new api.client.IndexedDbStore({ database: 'tampered' });
        const signer = api.client.secretKeySigner(api.client.generateKeyPair().secretKey);
        const refused = async (key: typeof a.rec.channelId, value: unknown) => {
          await api.plant('tampered', 'records', 1, `${key}/initiator`, { format: 1, record: value });
          return [
            await api.outcome(() => store.load(key)),
            // The record is refused before any connection: the url is never dialled.
            await api.outcome(async () => (await api.client.Channel.reconnect({ url: 'ws://127.0.0.1:9', channelId: key, store, signer })).channelId),
          ];
        };
        return [
          ...(await refused(a.other, a.rec)),
          ...(await refused(a.rec.channelId, { ...a.rec, state: { ...a.rec.state, balances: [[5, 'x'], null] } })),
        ];
      }, { rec: record(1n), other: 'ch_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn' as const });
      const refusal = (problem: string) => ({ error: { name: 'StoreError', kind: 'store', message: expect.stringContaining(problem) } });
      expect(outcomes).toEqual([
        refusal(`channelId is ${record(1n).channelId}, another channel's`),
        refusal(`channelId is ${record(1n).channelId}, another channel's`),
        refusal("state.balances[0]'s key is not 64 lowercase hex digits"),
        refusal("state.balances[0]'s key is not 64 lowercase hex digits"),
      ]);
    });

    test('a database of a newer schema, or without the object store, is refused with a typed error', async () => {
      const [newer, missing] = await inPage(async (api, id) => {
        await api.plant('newer', 'records', 2, id, null);
        await api.plant('elsewhere', 'other-store', 1, id, null);
        return [
          await api.outcome(() => new api.client.IndexedDbStore({ database: 'newer' }).load(id)),
          await api.outcome(() => new api.client.IndexedDbStore({ database: 'elsewhere' }).load(id)),
        ];
      }, record(1n).channelId);
      expect(newer).toMatchObject({ error: { kind: 'store', message: 'IndexedDB database newer: cannot be opened' } });
      expect(missing).toMatchObject({ error: { kind: 'store', message: expect.stringContaining('has no object store records') } });
    });

    test('the default store is one for the whole page: two channels share one connection', async () => {
      // A fresh page: nothing has opened the default store's database yet.
      await load(page, pageUrl, true);
      const { value, opens } = await inPage(
        (api, ids) => api.altered('count', async () => {
          const [a, b] = [api.client.defaultStore(), api.client.defaultStore()];
          await Promise.all([a.load(ids[0]), b.load(ids[1]), a.load(ids[1])]);
          return a === b;
        }),
        [record(1n).channelId, 'ch_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn'] as const,
      );
      expect({ value, opens }).toEqual({ value: { ok: true }, opens: 1 });
    });

    test('an open the browser never answers fails by its deadline, and the store opens again later', async () => {
      const [hung, after] = await inPage(async (api, id) => {
        const store = new api.client.IndexedDbStore({ database: 'unanswered', openTimeout: 300 });
        const hung = await api.altered('unanswered-open', () => store.load(id));
        return [hung, await api.outcome(() => store.load(id))];
      }, record(1n).channelId);
      expect(hung).toMatchObject({ opens: 1, value: { error: { name: 'StoreError', kind: 'store', message: 'IndexedDB database unanswered: did not open within 300 ms' } } });
      expect(after).toEqual({ ok: undefined });
      expect(pageErrors).toEqual([]);
    });

    test('a throw while upgrading the schema is a typed rejection, not an uncaught page error, and creates nothing', async () => {
      const [failed, after] = await inPage(async (api, rec) => {
        const store = new api.client.IndexedDbStore({ database: 'upgrade-fails' });
        const failed = await api.altered('throwing-upgrade', () => store.load(rec.channelId));
        // The aborted upgrade left no database at version 1: this open upgrades it afresh.
        await store.save(rec);
        return [failed, await api.outcome(() => store.load(rec.channelId))];
      }, record(2n));
      expect(failed).toMatchObject({ opens: 1, value: { error: { name: 'StoreError', kind: 'store', message: 'IndexedDB database upgrade-fails: cannot be upgraded' } } });
      expect(after).toEqual({ ok: record(2n) });
      expect(pageErrors).toEqual([]);
    });

    test('a save that cannot be stored rejects with a typed error, and the store stays usable', async () => {
      const [refused, loaded] = await inPage(async (api, rec) => {
        const store = new api.client.IndexedDbStore({ database: 'refusing' });
        // Structured clone refuses functions: the put throws, no transaction completes.
        const refused = await api.outcome(() => store.save({ ...rec, terms: { ...rec.terms, extra: () => 0 } } as never));
        await store.save(rec);
        return [refused, await store.load(rec.channelId)];
      }, record(7n));
      expect(refused).toMatchObject({ error: { kind: 'store', message: `cannot save the record of ${record(7n).channelId}` } });
      expect(loaded).toEqual(record(7n));
    });
  });

  function view(): Promise<ChannelView> {
    return inPage((api) => api.view(), null);
  }

  /** The page's view once it is open at `round`: a round co-signed there awaits the node's ack first. */
  async function openAt(round: bigint): Promise<ChannelView> {
    await until(async () => {
      const v = await view();
      return v.round === round && v.status === 'open';
    });
    return view();
  }

  function viewOf(c: Channel): ChannelView {
    return { status: c.status, round: c.round, tx: c.state?.tx, balances: [...(c.state?.state.balances ?? [])] };
  }

  async function until(condition: () => Promise<boolean>, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await condition())) {
      if (Date.now() > end) throw new Error(`not reached within ${ms} ms: ${condition.toString()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});

/** Loads (or reloads) the page and waits for its API. */
async function load(page: Page, url: string, reload = false): Promise<void> {
  await (reload ? page.reload() : page.goto(url));
  await page.waitForFunction(() => 'page' in globalThis, undefined, { timeout: PAGE_DEADLINE });
}

function deadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${PAGE_DEADLINE} ms`)), PAGE_DEADLINE);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
