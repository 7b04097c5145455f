/**
 * The `/channel` open parameters, read as sc_ws_handler `read_channel_options/1` reads them.
 * Malformed parameters make the node drop the connection without a word; amounts it refuses and
 * participants it does not know are answered with an error (`handler_init_error/2`).
 */
import { decode, type Encoded } from '@ch/codec';
import type { ChannelOptions, Role, TimerName } from '../fsm/options.js';
import { TIMER_NAMES } from '../fsm/options.js';
import type { MinimumDepthStrategy } from '../fsm/peer-messages.js';

/** Why an open was refused: `silent` closes the socket; the others are the node's error reasons. */
export type OpenRefusal = 'silent' | 'participant_not_found' | 'value_too_low' | 'missing_fsm_id' | 'invalid_fsm_id';

export class OpenRefused extends Error {
  constructor(readonly reason: OpenRefusal, detail: string) {
    super(`channel open refused (${reason}): ${detail}`);
  }
}

type Query = URLSearchParams;

function required(q: Query, name: string): string {
  const v = q.get(name);
  if (v === null) throw new OpenRefused('silent', `missing ${name}`);
  return v;
}

/** Erlang's list_to_integer: an optional sign and digits, nothing else. */
function integer(q: Query, name: string): bigint;
function integer(q: Query, name: string, optional: true): bigint | undefined;
function integer(q: Query, name: string, optional = false): bigint | undefined {
  const v = optional ? q.get(name) : required(q, name);
  if (v === null) return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw new OpenRefused('silent', `${name} is not an integer: ${v}`);
  return BigInt(v);
}

function account(q: Query, name: string): Encoded<'ak'> {
  const v = required(q, name);
  try {
    decode(v, 'ak');
  } catch {
    throw new OpenRefused('silent', `${name} is not an account: ${v}`);
  }
  return v as Encoded<'ak'>;
}

function boolean(q: Query, name: string, fallback: boolean): boolean {
  const v = q.get(name);
  if (v === null) return fallback;
  if (v !== 'true' && v !== 'false') throw new OpenRefused('silent', `${name} is not a boolean: ${v}`);
  return v === 'true';
}

function oneOf<T extends string>(q: Query, name: string, values: readonly T[]): T | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!(values as readonly string[]).includes(v)) throw new OpenRefused('silent', `${name} must be one of ${values.join(', ')}`);
  return v as T;
}

/** Reads the parameters of a new channel (not a reestablish). */
export function readChannelOptions(q: Query): ChannelOptions {
  if (q.get('protocol') !== 'json-rpc') throw new OpenRefused('silent', 'protocol must be json-rpc');
  const role = oneOf<Role>(q, 'role', ['initiator', 'responder']);
  if (role === undefined) throw new OpenRefused('silent', 'missing role');
  if (role === 'initiator') required(q, 'host');
  const port = integer(q, 'port');
  const timeouts: Partial<Record<TimerName, number>> = {};
  for (const name of TIMER_NAMES) {
    const ms = integer(q, `timeout_${name}`, true);
    if (ms !== undefined) timeouts[name] = Number(ms);
  }
  const options: ChannelOptions = {
    role,
    port: Number(port),
    pushAmount: integer(q, 'push_amount'),
    initiator: account(q, 'initiator_id'),
    responder: account(q, 'responder_id'),
    lockPeriod: integer(q, 'lock_period'),
    channelReserve: integer(q, 'channel_reserve'),
    initiatorAmount: integer(q, 'initiator_amount'),
    responderAmount: integer(q, 'responder_amount'),
    timeouts,
    keepRunning: boolean(q, 'keep_running', true),
  };
  const extra = {
    minimumDepth: integer(q, 'minimum_depth', true),
    minimumDepthStrategy: oneOf<MinimumDepthStrategy>(q, 'minimum_depth_strategy', ['txfee', 'plain']),
    ttl: integer(q, 'ttl', true),
    fee: integer(q, 'fee', true),
    nonce: integer(q, 'nonce', true),
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) Object.assign(options, { [k]: v });
  return options;
}

/** What a client coming back to a channel names: the channel, its role and the id of the FSM it had. */
export interface ReestablishParams {
  readonly channelId: Encoded<'ch'>;
  readonly role: Role;
  readonly fsmId: Encoded<'ba'>;
  readonly port: number;
}

/** Whether the parameters reestablish (or reconnect to) an existing channel rather than open one. */
export function isReestablish(q: Query): boolean {
  return q.get('existing_channel_id') !== null;
}

/**
 * sc_ws_handler's reading of a reestablish: `existing_fsm_id` is mandatory (2000) and must be an
 * FSM id (1016); `offchain_tx`, if given, must be a tx, though the node goes on from the state it
 * kept rather than the client's.
 */
export function readReestablishParams(q: Query): ReestablishParams {
  if (q.get('protocol') !== 'json-rpc') throw new OpenRefused('silent', 'protocol must be json-rpc');
  const role = oneOf<Role>(q, 'role', ['initiator', 'responder']);
  if (role === undefined) throw new OpenRefused('silent', 'missing role');
  if (role === 'initiator') required(q, 'host');
  const port = Number(integer(q, 'port'));
  const channelId = required(q, 'existing_channel_id');
  const offchainTx = q.get('offchain_tx');
  try {
    decode(channelId, 'ch');
    if (offchainTx !== null) decode(offchainTx, 'tx');
  } catch {
    throw new OpenRefused('silent', 'existing_channel_id or offchain_tx is malformed');
  }
  const fsmId = q.get('existing_fsm_id');
  if (fsmId === null) throw new OpenRefused('missing_fsm_id', 'existing_fsm_id is missing');
  if (!isFsmId(fsmId)) throw new OpenRefused('invalid_fsm_id', `not an FSM id: ${fsmId}`);
  return { channelId: channelId as Encoded<'ch'>, role, fsmId, port };
}

/** aesc_fsm_id: 32 random bytes, as a `ba_` string. */
function isFsmId(value: string): value is Encoded<'ba'> {
  try {
    return decode(value, 'ba').length === 32;
  } catch {
    return false;
  }
}

/**
 * The FSM's own checks at start (aesc_fsm init, aesc_checks): both participants exist on chain,
 * and no amount is below zero; the reserve must fit both amounts.
 */
export function checkOpenTerms(o: ChannelOptions, hasAccount: (a: Encoded<'ak'>) => boolean): void {
  if (!hasAccount(o.initiator) || !hasAccount(o.responder)) throw new OpenRefused('participant_not_found', 'a participant has no account on chain');
  const low = [o.initiatorAmount, o.responderAmount, o.channelReserve, o.pushAmount, o.lockPeriod].some((v) => v < 0n);
  if (low || o.initiatorAmount < o.channelReserve || o.responderAmount < o.channelReserve) throw new OpenRefused('value_too_low', 'an amount is too low');
}
