/**
 * The client API call that makes the client send a recorded request. Recorded requests the API
 * cannot express (the node's input-validation probes: an amount sent as a string, `meta` that is
 * not a list; and requests the API has no call for) have no call: the replay puts them on the
 * client's socket itself.
 */
import type { Channel } from '@ch/client';
import type { Encoded } from '@ch/codec';
import { OPERATIONS, type JsonValue, type OperationName, type OptionName } from '@ch/rpc';
import type { Json } from './transcript.js';

type Call = () => Promise<unknown>;

const isAmount = (v: JsonValue | undefined): v is number | bigint => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
const isStringList = (v: JsonValue | undefined): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** The API's name of each option the catalogue lists (`OPTION_SCHEMAS`). */
const API_OPTIONS: { readonly [O in OptionName]: string } = { nonce: 'nonce', fee: 'fee', gas_price: 'gasPrice', gas: 'gas', meta: 'meta', block_hash: 'blockHash' };

type ApiOptions = { fee?: bigint; nonce?: bigint; gasPrice?: bigint; meta?: string[]; blockHash?: Encoded<'kh'> | Encoded<'mh'> };

/** An operation's optional params as API options; undefined when the params hold anything the API cannot pass. */
function apiOptions(operation: OperationName, params: Json): ApiOptions | undefined {
  const known: readonly string[] = OPERATIONS[operation].options;
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (!known.includes(key)) return undefined;
    if (key === 'meta' ? !isStringList(value) : key === 'block_hash' ? typeof value !== 'string' : !isAmount(value)) return undefined;
    options[API_OPTIONS[key as OptionName]] = isAmount(value) ? BigInt(value) : value;
  }
  return options as ApiOptions;
}

function amountCall(operation: 'deposit' | 'withdraw', params: Json, call: (amount: bigint, options: ApiOptions) => Promise<unknown>): Call | undefined {
  const { amount, ...rest } = params;
  const options = apiOptions(operation, rest);
  return isAmount(amount) && options ? () => call(BigInt(amount), options) : undefined;
}

/** The operations that take nothing but their options, by the name of their `Channel` call. */
const OPTIONS_ONLY = ['shutdown', 'closeSolo', 'slash', 'settle', 'snapshot'] as const satisfies readonly OperationName[];

const API_METHODS: ReadonlySet<string> = new Set([
  ...(['transfer', 'deposit', 'withdraw', 'leave', ...OPTIONS_ONLY] as const).map((name) => OPERATIONS[name].request),
  'channels.get.balances',
  'channels.get.offchain_state',
  'channels.get.poi',
  'channels.message',
  'channels.system',
]);

/** Whether the API has a call making `method` requests (for some params). */
export function hasApiCall(method: string): boolean {
  return API_METHODS.has(method);
}

/** The API call for `method(params)`, or undefined if the API cannot make this request. */
export function apiCall(channel: Channel, method: string, params: Json): Call | undefined {
  switch (method) {
    case 'channels.update.new': {
      const { from, to, amount, meta, ...rest } = params;
      // Addresses go through as given (the node's probes send malformed ones); amounts must be integers.
      if (typeof from !== 'string' || typeof to !== 'string' || !isAmount(amount) || Object.keys(rest).length > 0) return undefined;
      if (meta !== undefined && !isStringList(meta)) return undefined;
      return () => channel.transfer(from as Encoded<'ak'>, to as Encoded<'ak'>, BigInt(amount), meta ? { meta } : {});
    }
    case 'channels.deposit':
      return amountCall('deposit', params, (amount, options) => channel.deposit(amount, options));
    case 'channels.withdraw':
      return amountCall('withdraw', params, (amount, options) => channel.withdraw(amount, options));
    case 'channels.leave':
      return Object.keys(params).length === 0 ? () => channel.leave() : undefined;
    case 'channels.get.balances':
      return isStringList(params.accounts) ? () => channel.balances(params.accounts as Encoded<'ak'>[]) : undefined;
    case 'channels.get.offchain_state':
      return () => channel.offchainState();
    case 'channels.get.poi': {
      const { accounts, contracts } = params;
      if (!isStringList(accounts) || (contracts !== undefined && !isStringList(contracts))) return undefined;
      return () => channel.poi({ accounts: accounts as Encoded<'ak'>[], ...(contracts && { contracts: contracts as Encoded<'ct'>[] }) });
    }
    case 'channels.message':
      return typeof params.to === 'string' && typeof params.info === 'string' ? () => channel.sendMessage(params.to as Encoded<'ak'>, params.info as string) : undefined;
    case 'channels.system':
      return params.action === 'ping' ? () => channel.ping() : params.action === 'stop' ? () => channel.stop() : undefined;
    default: {
      const name = OPTIONS_ONLY.find((n) => OPERATIONS[n].request === method);
      const options = name && apiOptions(name, params);
      return name && options ? () => channel[name](options) : undefined;
    }
  }
}
