/**
 * Test helper: `ch-node` in a child process, as a user runs it. The CLI is bundled from its
 * TypeScript sources, so a test never reads a `dist/` that a concurrent build may be rewriting;
 * the bundle sits in `dist/` beside a copy of the package's package.json, as in the published
 * package, for `--version`.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { MessageInbox } from './message-inbox.js';
import { bundleForNode } from './node-bundle.js';

const PACKAGE = new URL('../packages/node/', import.meta.url);

export interface ChNodeFixture {
  /** A temporary directory of the test file's, holding the bundle. */
  readonly dir: string;
  /** The bundled CLI, to run with `node`. */
  readonly cli: string;
  /** Starts `ch-node` with `args`; it is killed after the test. */
  start(args: readonly string[]): ChNodeProcess;
}

/** The hooks of a test file that runs `ch-node`: the bundle made once, every child killed after each test. */
export function useChNode(prefix: string): ChNodeFixture {
  const children: ChNodeProcess[] = [];
  const fixture = {
    dir: '',
    cli: '',
    start(args: readonly string[]): ChNodeProcess {
      const child = new ChNodeProcess(fixture.cli, args);
      children.push(child);
      return child;
    },
  };
  beforeAll(async () => {
    fixture.dir = mkdtempSync(join(tmpdir(), prefix));
    fixture.cli = await bundleChNode(fixture.dir);
  }, 60_000);
  afterEach(() => Promise.all(children.splice(0).map((c) => c.kill())));
  afterAll(() => rmSync(fixture.dir, { recursive: true, force: true }));
  return fixture;
}

/** Bundles `ch-node` into `dir`; returns the file to run. */
export async function bundleChNode(dir: string): Promise<string> {
  const outfile = join(dir, 'dist', 'cli.js');
  mkdirSync(join(dir, 'dist'), { recursive: true });
  copyFileSync(new URL('package.json', PACKAGE), join(dir, 'package.json'));
  await bundleForNode(fileURLToPath(new URL('src/cli.ts', PACKAGE)), outfile);
  return outfile;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class ChNodeProcess {
  /** Its stdout, line by line. */
  readonly lines = new MessageInbox<string>();
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  readonly #child: ChildProcessByStdio<null, Readable, Readable>;

  constructor(cli: string, args: readonly string[]) {
    this.#child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.#child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) this.lines.push(line);
    });
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    // 'close' (not 'exit'): all it wrote has been read by then.
    this.exited = new Promise((resolve) =>
      this.#child.once('close', (code, signal) => {
        this.lines.close();
        resolve({ code, signal });
      }),
    );
  }

  /** The next stdout line that matches; fails with its stderr after `ms` or if it exits first. */
  async line(match: (line: string) => boolean, ms = 15_000): Promise<string> {
    try {
      return await this.lines.next(match, ms);
    } catch (e) {
      throw new Error(`waiting for ch-node's output: ${(e as Error).message}\nits stderr: ${this.stderr}`, { cause: e });
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** Its exit, or a failure after `ms`. */
  async exit(ms = 15_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`ch-node still running after ${ms} ms; stderr: ${this.stderr}`)), ms)));
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** For afterEach: SIGKILL if still running, and wait until it is gone. */
  async kill(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    await this.exited;
  }
}

/** Runs `ch-node args` to its end (help, version, bad options). */
export async function runChNode(cli: string, args: readonly string[], ms = 15_000): Promise<Exit & { stdout: string; stderr: string }> {
  const child = new ChNodeProcess(cli, args);
  try {
    const exit = await child.exit(ms);
    return { ...exit, stdout: child.stdout, stderr: child.stderr };
  } finally {
    await child.kill();
  }
}
