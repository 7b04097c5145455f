/**
 * Client requests, checked and dispatched as sc_ws_api_jsonrpc `process_request/2` does: the same
 * checks in the same order (a string amount is "Not a number" before a broken key is looked at),
 * then a call or cast to the FSM.
 */
import { decode, type Encoded } from '@ch/codec';
import { ANSWER_NOTIFICATIONS, CONTRACT_METHODS, isValidAbortCode, OPERATIONS, REPLY_TAGS, type AnswerNotification, type DataOf, type JsonValue, type SignReplyMethod } from '@ch/rpc';
import type { CallError, ClientCall, OnChainOptions, OtherSignTag, SignTag, SoloRequest } from '../fsm/events.js';
import type { ChannelFsm } from '../fsm/fsm.js';
import type { Profile } from '../profiles.js';
import { MAX_META_BYTES, MAX_META_ENTRIES, MAX_QUERY_IDS } from './limits.js';

/** Error reasons of the node's JSON-RPC layer (json_rpc_error_object/2), plus this node's own. */
export type ErrorReason =
  | CallError
  | 'unhandled'
  | 'not_a_number'
  | 'broken_account'
  | 'broken_contract'
  | 'broken_transaction'
  | 'invalid_meta'
  | 'error_code'
  /** Contract methods: this node has no contract VM. */
  | 'no_contracts'
  /** Methods this node does not implement. */
  | 'not_implemented';


/** What a request comes to: nothing to say (a request with an id still gets "ok"), a result, or an error. */
export type Outcome =
  | { kind: 'none' }
  /** A result: the reply to a request, or the notification `method` for one without id (typed as the client parses it). */
  | { [M in AnswerNotification]: { kind: 'result'; result: DataOf<M>; method: M } }[AnswerNotification]
  | { kind: 'error'; reason: ErrorReason };

/** The requests whose params are all optional on-chain tx options: the solo txs and the mutual close, each an FSM call of its name. */
const SOLO_REQUESTS: ReadonlyMap<string, SoloRequest> = new Map(
  (['shutdown', 'closeSolo', 'snapshot', 'slash', 'settle'] as const).map((name) => {
    const method = OPERATIONS[name].request;
    return [method, method.slice('channels.'.length) as SoloRequest];
  }),
);

/** The catalogue's on-chain options (`onchain_params/0`, the same for every on-chain operation) and the tx option each sets. */
const ON_CHAIN_OPTIONS: { readonly [O in (typeof OPERATIONS.closeSolo.options)[number]]: keyof OnChainOptions } = { nonce: 'nonce', fee: 'fee', gas_price: 'gasPrice' };

type Params = { readonly [key: string]: JsonValue };

function isObject(v: JsonValue | undefined): v is Params {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Erlang's is_integer/1 on what jsx decoded: JSON integers only. */
function isInteger(v: JsonValue | undefined): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
}

/** sc_ws_utils `parse_by_type(integer, …)`: a JSON integer, or a string list_to_integer/1 takes. */
function integerParam(v: JsonValue): bigint | undefined {
  if (isInteger(v)) return BigInt(v);
  return typeof v === 'string' && /^[+-]?\d+$/.test(v) ? BigInt(v) : undefined;
}

/** check_optional_params/2 over fee, gas_price and nonce; a value it cannot read is an error the node has no code for. */
function onChainOptions(params: Params): OnChainOptions | undefined {
  const opts: { -readonly [K in keyof OnChainOptions]: bigint } = {};
  for (const [key, field] of Object.entries(ON_CHAIN_OPTIONS)) {
    const v = params[key];
    if (v === undefined) continue;
    const n = integerParam(v);
    if (n === undefined) return undefined;
    opts[field] = n;
  }
  return opts;
}

/** The optional `meta` list: strings only, within MAX_META_ENTRIES and MAX_META_BYTES (1014 otherwise). */
function metaParam(params: Params): string[] | undefined {
  const meta = params.meta ?? [];
  if (!Array.isArray(meta) || meta.length > MAX_META_ENTRIES || !meta.every((m): m is string => typeof m === 'string')) return undefined;
  return meta.reduce((bytes, m) => bytes + Buffer.byteLength(m), 0) <= MAX_META_BYTES ? meta : undefined;
}

function decodes(v: string, prefix: 'ak' | 'ct' | 'th' | 'tx'): boolean {
  try {
    decode(v, prefix);
    return true;
  } catch {
    return false;
  }
}

function isAccount(v: JsonValue | undefined): v is Encoded<'ak'> {
  return typeof v === 'string' && decodes(v, 'ak');
}

function isContract(v: JsonValue | undefined): v is Encoded<'ct'> {
  return typeof v === 'string' && decodes(v, 'ct');
}

const none: Outcome = { kind: 'none' };
const error = (reason: ErrorReason): Outcome => ({ kind: 'error', reason });

export async function processRequest(req: Params, fsm: ChannelFsm, profile: Profile): Promise<Outcome> {
  const method = req.method as string;
  const call = async (c: ClientCall): Promise<Outcome> => {
    const r = await fsm.call(c);
    return r.ok ? none : error(r.error);
  };
  if (CONTRACT_METHODS.has(method)) return error('no_contracts');
  if (method === 'channels.history.fetch') return error('not_implemented');
  // aesc_fsm:leave/1's answer is not passed on: a request with an id gets "ok" whatever it was.
  if (method === 'channels.leave') return fsm.call({ type: 'leave' }).then(() => none);
  const solo = SOLO_REQUESTS.get(method);
  if (solo !== undefined) {
    // Their params are optional; params that are not an object crash the node's handler, which then only says "ok".
    const params = req.params ?? {};
    if (!isObject(params)) return none;
    const opts = onChainOptions(params);
    return opts === undefined ? error('internal') : call({ type: solo, opts });
  }
  const params = req.params;
  if (!isObject(params)) return error('unhandled');

  const signTag = REPLY_TAGS.get(method as SignReplyMethod);
  if (signTag !== undefined) return signReply(params, signTag, fsm, profile);

  switch (method) {
    case 'channels.system':
      if (params.action === 'ping') return { kind: 'result', result: { action: 'system', tag: 'pong' }, method: ANSWER_NOTIFICATIONS['channels.system'] };
      if (params.action === 'stop') {
        // aesc_fsm:stop/1 returns once the FSM is gone: its `died` is queued behind this request's "ok".
        fsm.stop();
        return none;
      }
      return error('unhandled');
    case 'channels.update.new': {
      const { from, to, amount } = params;
      if (from === undefined || to === undefined || amount === undefined) return error('unhandled');
      if (!isInteger(amount)) return error('not_a_number');
      if (!isAccount(from) || !isAccount(to)) return error('broken_account');
      const meta = metaParam(params);
      if (meta === undefined) return error('invalid_meta');
      if (BigInt(amount) < 0n) return error('negative_amount');
      return call({ type: 'transfer', from, to, amount: BigInt(amount), meta });
    }
    case 'channels.deposit':
    case 'channels.withdraw': {
      const { amount } = params;
      if (amount === undefined) return error('unhandled');
      if (!isInteger(amount)) return error('not_a_number');
      const meta = metaParam(params);
      if (meta === undefined) return error('invalid_meta');
      const opts = onChainOptions(params);
      if (opts === undefined) return error('internal');
      if (BigInt(amount) < 0n) return error('negative_amount');
      return call({ type: method === 'channels.deposit' ? 'deposit' : 'withdraw', amount: BigInt(amount), meta, opts });
    }
    case 'channels.assume_minimum_depth': {
      const { tx_hash: txHash } = params;
      if (txHash === undefined) return error('unhandled');
      // A broken hash names an encoding the node has no error code for.
      if (typeof txHash !== 'string' || !decodes(txHash, 'th')) return error('internal');
      return call({ type: 'assume_minimum_depth', txHash: txHash as Encoded<'th'> });
    }
    case 'channels.get.balances': {
      const { accounts } = params;
      if (!Array.isArray(accounts)) return error('unhandled');
      // The node's answer for a broken id, checked within the cap only: past it, -32000 before more checksums.
      if (!accounts.slice(0, MAX_QUERY_IDS).every(isAccount)) return error('broken_account');
      if (accounts.length > MAX_QUERY_IDS) return error('invalid_request');
      // Every id is checked by now: the list is within the cap.
      const r = await fsm.call({ type: 'balances', accounts: accounts as Encoded<'ak'>[] });
      if (!r.ok) return error(r.error);
      if (r.value?.type !== 'balances') return error('unknown_request');
      return { kind: 'result', result: r.value.balances.map(({ account, balance }) => ({ account, balance })), method: ANSWER_NOTIFICATIONS['channels.get.balances'] };
    }
    case 'channels.get.offchain_state': {
      const r = await fsm.call({ type: 'offchain_state' });
      if (!r.ok) return error(r.error);
      if (r.value?.type !== 'offchain_state') return error('unknown_request');
      const { calls, halfSignedTx, signedTx, trees } = r.value;
      return { kind: 'result', result: { calls, half_signed_tx: halfSignedTx, signed_tx: signedTx, trees }, method: ANSWER_NOTIFICATIONS['channels.get.offchain_state'] };
    }
    case 'channels.get.poi': {
      const { accounts, contracts = [] } = params;
      if (!Array.isArray(accounts) || !Array.isArray(contracts)) return error('unhandled');
      if (!accounts.slice(0, MAX_QUERY_IDS).every(isAccount)) return error('broken_account');
      if (!contracts.slice(0, MAX_QUERY_IDS).every(isContract)) return error('broken_contract');
      if (accounts.length + contracts.length > MAX_QUERY_IDS) return error('invalid_request');
      const r = await fsm.call({ type: 'poi', accounts: accounts as Encoded<'ak'>[], contracts: contracts as Encoded<'ct'>[] });
      if (!r.ok) return error(r.error);
      if (r.value?.type !== 'poi') return error('unknown_request');
      return { kind: 'result', result: { poi: r.value.poi }, method: ANSWER_NOTIFICATIONS['channels.get.poi'] };
    }
    case 'channels.message': {
      const { to, info } = params;
      if (to === undefined || info === undefined) return error('unhandled');
      if (!isAccount(to)) return error('broken_account');
      return call({ type: 'inband_msg', to, info: typeof info === 'string' ? info : JSON.stringify(info) });
    }
    default:
      return error('unhandled');
  }
}

/**
 * A sign reply: `{"error": N}` aborts (checked first, as by the node), `{"signed_tx": …}` is cast
 * to the FSM and answered "ok" whatever the FSM makes of it.
 */
async function signReply(params: Params, tag: SignTag | OtherSignTag, fsm: ChannelFsm, profile: Profile): Promise<Outcome> {
  if (params.error !== undefined) {
    const code = validAbortCode(params.error);
    if (code === undefined) return error('error_code');
    if (profile.abort === 'conflict') {
      fsm.deliver({ kind: 'abort_cast', tag, code });
      return none;
    }
    const r = await fsm.call({ type: 'abort', tag, code });
    return r.ok ? none : error(r.error);
  }
  const tx = params.signed_tx;
  if (tx === undefined) return error('unhandled');
  if (typeof tx !== 'string' || !decodes(tx, 'tx')) return error('broken_transaction');
  fsm.deliver({ kind: 'signed', tag, tx: tx as Encoded<'tx'> });
  return none;
}

/** sc_ws_api_jsonrpc `valid_error_code/1`: an integer, or a numeric string, in 1..65535. */
function validAbortCode(v: JsonValue): number | undefined {
  const n = typeof v === 'string' && /^[+-]?\d+$/.test(v) ? Number(v) : v;
  return isInteger(n) && isValidAbortCode(n) ? Number(n) : undefined;
}
