/**
 * `ch-node`'s command line: the options, their defaults, the usage text, and validation into a
 * `UsageError` (exit 2) that names the bad option, so a typo never reaches `startNode`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decode, type Encoded, type KeyPair } from '@ch/codec';
import { parseJson } from '@ch/rpc';
// The library through the package's own name, as users import it: the bin then carries no copy of it.
import { DEFAULT_LIMITS, DEV_ACCOUNT_COUNT, DEV_BALANCE, DEV_SEED, devAccounts, isProfileName, type ConnectionLimits, type GenesisAccount, type ProfileName } from '@ch/node';

/** The id of aeproject's local network: what a dev user expects. */
const DEV_NETWORK_ID = 'ae_devnet';
const DEV_PORT = 3014;
const DEV_HOST = '127.0.0.1';
/** More would only flood the terminal; `--fund` takes any number of other accounts. */
const MAX_DEV_ACCOUNTS = 10_000;

/** Bad command-line input: one line on stderr and exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface StartOptions {
  readonly host: string;
  readonly port: number;
  readonly networkId: string;
  readonly profile: ProfileName;
  readonly seed: string;
  readonly balance: bigint;
  /** Derived from `seed`, each funded with `balance`. */
  readonly devAccounts: readonly KeyPair[];
  /** The `--fund` accounts, in the order given. */
  readonly funded: readonly GenesisAccount[];
  readonly json: boolean;
  /** The `--max-…`, `--messages-…`, `--…-timeout-ms` limits given. */
  readonly limits: Partial<ConnectionLimits>;
}

/** Each connection limit as a flag: `maxFrameBytes` is `--max-frame-bytes`. */
const LIMIT_FLAGS = Object.keys(DEFAULT_LIMITS).map((key) => [key as keyof ConnectionLimits, key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)] as const);

export type Command = { readonly kind: 'help' } | { readonly kind: 'version' } | { readonly kind: 'start'; readonly options: StartOptions };

export const USAGE = `Usage: ch-node [options]

A local aeternity channel node for development: the node's channel WebSocket API over an
in-memory chain, with accounts derived from a seed and funded at genesis. It prints them with
their secret keys, then runs until Ctrl-C (SIGINT) or SIGTERM.

Options:
  --host HOST          address to listen on (default ${DEV_HOST})
  -p, --port PORT      port to listen on, 0 for a free one (default ${DEV_PORT})
  --network-id ID      network id clients sign with (default ${DEV_NETWORK_ID})
  --profile NAME       current (the node today) or seed (the 2019 node) (default current)
  --seed SEED          seed the dev accounts are derived from (default ${DEV_SEED})
  -a, --accounts N     how many dev accounts to fund, 0 to ${MAX_DEV_ACCOUNTS} (default ${DEV_ACCOUNT_COUNT})
  --balance AETTOS     each dev account's balance (default ${DEV_BALANCE} = 1000000 AE)
  --fund ACCOUNTS      also fund other accounts: ak_…:AETTOS[,ak_…:AETTOS…], or a JSON file
                       [{"publicKey": "ak_…", "balance": "AETTOS"}]; may be repeated
  --json               print the accounts and the node as one line of JSON
${LIMIT_FLAGS.map(([key, flag]) => `  --${flag} N`.padEnd(23) + `connection limit (default ${DEFAULT_LIMITS[key]})`).join('\n')}
  -h, --help           print this help
  -V, --version        print the version

Exit codes: 0 stopped by a signal, 1 the node could not start, 2 bad options.
`;

export function parseCommand(argv: readonly string[]): Command {
  const { values } = parseOrThrow(argv);
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const seed = nonEmpty('--seed', values.seed ?? DEV_SEED);
  const balance = aettos('--balance', values.balance ?? String(DEV_BALANCE));
  const dev = devAccounts(seed, integer('--accounts', values.accounts ?? String(DEV_ACCOUNT_COUNT), MAX_DEV_ACCOUNTS));
  const funded = (values.fund ?? []).flatMap(fundList);
  const seen = new Set<string>(dev.map((k) => k.publicKey));
  for (const { publicKey } of funded) {
    if (seen.has(publicKey)) throw new UsageError(`--fund: ${publicKey} is funded twice (listed twice, or one of the dev accounts)`);
    seen.add(publicKey);
  }
  const profile = values.profile ?? 'current';
  if (!isProfileName(profile)) throw new UsageError(`--profile must be current or seed, got "${profile}"`);
  return {
    kind: 'start',
    options: {
      host: nonEmpty('--host', values.host ?? DEV_HOST),
      port: integer('--port', values.port ?? String(DEV_PORT), 65_535),
      networkId: nonEmpty('--network-id', values['network-id'] ?? DEV_NETWORK_ID),
      profile,
      seed,
      balance,
      devAccounts: dev,
      funded,
      json: values.json ?? false,
      limits: Object.fromEntries(LIMIT_FLAGS.flatMap(([key, flag]) => {
        const v = (values as Record<string, unknown>)[flag];
        return typeof v === 'string' ? [[key, positive(`--${flag}`, v)]] : [];
      })),
    },
  };
}

function parseOrThrow(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string', short: 'p' },
        'network-id': { type: 'string' },
        profile: { type: 'string' },
        seed: { type: 'string' },
        accounts: { type: 'string', short: 'a' },
        balance: { type: 'string' },
        fund: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        ...Object.fromEntries(LIMIT_FLAGS.map(([, flag]) => [flag, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (e) {
    // node:util's messages name the option; some run on for lines of advice.
    throw new UsageError(String((e as Error).message).split('\n')[0]);
  }
}

function nonEmpty(option: string, value: string): string {
  if (value === '') throw new UsageError(`${option} must not be empty`);
  return value;
}

function integer(option: string, value: string, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n <= max)) throw new UsageError(`${option} must be an integer from 0 to ${max}, got "${value}"`);
  return n;
}

function positive(option: string, value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && Number.isSafeInteger(n))) throw new UsageError(`${option} must be a positive integer, got "${value}"`);
  return n;
}

function aettos(option: string, value: unknown): bigint {
  if (typeof value === 'bigint' && value >= 0n) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  throw new UsageError(`${option} must be a whole number of aettos (digits only), got ${JSON.stringify(String(value))}`);
}

function accountKey(option: string, value: unknown): Encoded<'ak'> {
  try {
    decode(value as string, 'ak');
    return value as Encoded<'ak'>;
  } catch {
    throw new UsageError(`${option}: ${JSON.stringify(String(value))} is not an account key (ak_…)`);
  }
}

/** `ak_…:amount,…` inline, or the path of a JSON file listing `{publicKey, balance}`. */
function fundList(spec: string): GenesisAccount[] {
  if (spec.startsWith('ak_')) {
    return spec.split(',').map((entry) => {
      const colon = entry.indexOf(':');
      if (colon < 0) throw new UsageError(`--fund: "${entry}" needs an amount: ak_…:AETTOS`);
      return { publicKey: accountKey('--fund', entry.slice(0, colon)), balance: aettos(`--fund ${entry.slice(0, colon)}`, entry.slice(colon + 1)) };
    });
  }
  const option = `--fund ${spec}`;
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${option}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`}`);
  }
  let list: unknown;
  try {
    list = parseJson(text);
  } catch {
    throw new UsageError(`${option}: not JSON`);
  }
  if (!Array.isArray(list)) throw new UsageError(`${option}: expected a JSON list of {"publicKey": "ak_…", "balance": "AETTOS"}`);
  return list.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) throw new UsageError(`${option}: expected a list of {"publicKey", "balance"} objects`);
    const { publicKey, balance } = entry as { publicKey?: unknown; balance?: unknown };
    const key = accountKey(option, publicKey);
    return { publicKey: key, balance: aettos(`${option}: ${key}'s balance`, balance) };
  });
}
