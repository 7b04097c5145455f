#!/usr/bin/env node
/**
 * `ch-node`: runs the local node until SIGINT or SIGTERM.
 *
 *   ch-node [--port 3014] [--network-id local_lima_testnet] [--profile seed|current]
 *           [--accounts <file.json> | ak_…:amount,ak_…:amount]
 *
 * An accounts file is a JSON list of {"publicKey": "ak_…", "balance": 1000} (balances may be
 * strings for amounts past 2^53).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decode, type Encoded } from '@ch/codec';
import { parseJson } from '@ch/rpc';
import { startNode } from './node.js';
import { isProfileName } from './profiles.js';

interface Account {
  publicKey: Encoded<'ak'>;
  balance: bigint;
}

function account(publicKey: string, balance: unknown): Account {
  decode(publicKey, 'ak');
  if (typeof balance !== 'bigint' && typeof balance !== 'number' && typeof balance !== 'string') throw new Error(`bad balance for ${publicKey}`);
  return { publicKey: publicKey as Encoded<'ak'>, balance: BigInt(balance) };
}

/** `ak_…:amount,…` inline, or a JSON file. */
function readAccounts(spec: string | undefined): Account[] {
  if (spec === undefined) return [];
  if (spec.startsWith('ak_')) {
    return spec.split(',').map((entry) => {
      const [key, amount] = entry.split(':');
      return account(key!, amount);
    });
  }
  const list = parseJson(readFileSync(spec, 'utf8'));
  if (!Array.isArray(list)) throw new Error(`${spec}: expected a JSON list of accounts`);
  return list.map((a) => {
    const { publicKey, balance } = a as { publicKey: string; balance: unknown };
    return account(publicKey, balance);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '3014' },
      host: { type: 'string', default: '127.0.0.1' },
      'network-id': { type: 'string', default: 'local_lima_testnet' },
      profile: { type: 'string', default: 'seed' },
      accounts: { type: 'string' },
    },
  });
  const profile = values.profile;
  if (!isProfileName(profile)) throw new Error(`--profile must be seed or current, got ${profile}`);
  const networkId = values['network-id'];
  const node = await startNode({ port: Number(values.port), host: values.host, networkId, profile, accounts: readAccounts(values.accounts) });
  console.log(`ch-node listening on ${node.url} (network id ${networkId}, profile ${profile})`);
  const shutdown = (): void => {
    void node.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((e: unknown) => {
  console.error(`ch-node: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
