/**
 * The client API call that makes the client send a recorded request. Recorded requests the API
 * cannot express (the node's input-validation probes: an amount sent as a string, `meta` that is
 * not a list; and requests the API has no call for) have no call: the replay puts them on the
 * client's socket itself.
 */
import type { Channel } from '@ch/client';
import type { Encoded } from '@ch/codec';
import { OPERATIONS, type JsonValue, type OperationName } from '@ch/rpc';
import type { Json } from './transcript.js';

type Call = () => Promise<unknown>;

const isAmount = (v: JsonValue | undefined): v is number | bigint => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
const isStringList = (v: JsonValue | undefined): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Optional `fee` of the on-chain calls; undefined when the params hold anything else. */
function feeOption(params: Json): { fee?: bigint } | undefined {
  const keys = Object.keys(params);
  if (keys.some((k) => k !== 'fee')) return undefined;
  if (params.fee === undefined) return {};
  return isAmount(params.fee) ? { fee: BigInt(params.fee) } : undefined;
}

function amountCall(params: Json, call: (amount: bigint, options: { fee?: bigint }) => Promise<unknown>): Call | undefined {
  const { amount, ...rest } = params;
  const fee = feeOption(rest);
  return isAmount(amount) && fee ? () => call(BigInt(amount), fee) : undefined;
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
      return amountCall(params, (amount, options) => channel.deposit(amount, options));
    case 'channels.withdraw':
      return amountCall(params, (amount, options) => channel.withdraw(amount, options));
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
      const options = name && feeOption(params);
      return name && options ? () => channel[name](options) : undefined;
    }
  }
}
