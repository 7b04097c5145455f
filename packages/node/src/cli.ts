#!/usr/bin/env node
/**
 * `ch-node`: a dev node like anvil's. Starts the local node with funded dev accounts, prints them,
 * and runs until SIGINT or SIGTERM. Options and exit codes: `ch-node --help` (cli-options.ts).
 */
import { readFileSync } from 'node:fs';
import { startNode } from '@ch/node';
import { bannerJson, bannerText } from './cli-banner.js';
import { parseCommand, UsageError, USAGE, type StartOptions } from './cli-options.js';

async function start(options: StartOptions): Promise<void> {
  const { host, port, networkId, profile, balance, devAccounts, funded, limits } = options;
  const accounts = [...devAccounts.map((k) => ({ publicKey: k.publicKey, balance })), ...funded];
  const starting = startNode({ host, port, networkId, profile, accounts, limits });
  let stopping = false;
  const shutdown = (): void => {
    // A second Ctrl-C does not wait for the sessions to close.
    if (stopping) process.exit(1);
    stopping = true;
    // Exits with the code set by then: 1 if the node failed to start.
    void starting
      .then((node) => node.stop())
      .catch(() => undefined)
      .then(() => process.exit());
  };
  // Before anything is printed: a script that signals as soon as it reads the banner must find
  // the handlers in place (installed just after the write, the default action killed it in 2 of 8 runs).
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  const node = await starting.catch((e: unknown) => {
    throw new Error(`cannot listen on ${host}:${port}: ${listenFailure(e)}`);
  });
  const banner = { version: version(), url: node.url, options };
  process.stdout.write(options.json ? `${bannerJson(banner)}\n` : bannerText(banner));
}

function listenFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return 'the port is in use (another ch-node? pick one with --port)';
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return 'no such address here (see --host)';
  if (code === 'EACCES') return 'permission denied (ports below 1024 need privileges)';
  return e instanceof Error ? e.message : String(e);
}

/** From the package.json beside `dist/` (or `src/`): the one the package was published with. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

async function main(argv: readonly string[]): Promise<void> {
  const command = parseCommand(argv);
  if (command.kind === 'help') process.stdout.write(USAGE);
  else if (command.kind === 'version') process.stdout.write(`${version()}\n`);
  else await start(command.options);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const usage = e instanceof UsageError;
  process.stderr.write(`ch-node: ${e instanceof Error ? e.message : String(e)}${usage ? ' (see ch-node --help)' : ''}\n`);
  process.exitCode = usage ? 2 : 1;
});
