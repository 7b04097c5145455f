/**
 * The runtime check of `Channel.open` / `Channel.reestablish` options, before anything connects.
 * The types say the same, but callers in plain JS (or with `as any`) get past them: a number
 * amount would make the client refuse its own create tx and hang the open, a mistyped id would
 * only show as a closed socket. Each problem is an `InvalidOptionError` naming the option's path.
 */
import { decode, type Prefix } from '@ch/codec';
import { InvalidOptionError } from './errors.js';
import type { CommonOptions, OpenOptions, ReestablishOptions } from './options.js';
import { signerAccount } from './signer.js';

type Fields = Readonly<Record<string, unknown>>;

/** setTimeout's largest delay; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function validateOpenOptions(options: OpenOptions): void {
  const o = record(options, 'options');
  validateCommon(options);
  oneOf(o, 'role', ['initiator', 'responder']);
  networkId(o, 'networkId');
  apiId(o, 'initiatorId', 'ak');
  apiId(o, 'responderId', 'ak');
  if (o.initiatorId === o.responderId) throw new InvalidOptionError('responderId', 'is the initiator; a channel needs two accounts');
  for (const name of ['initiatorAmount', 'responderAmount', 'channelReserve', 'lockPeriod']) amount(o, name);
  for (const name of ['pushAmount', 'fee', 'gasPrice', 'nonce', 'ttl']) if (o[name] !== undefined) amount(o, name);
  const account = signerAccount(options.signer);
  const own = options.role === 'initiator' ? 'initiatorId' : 'responderId';
  if (account !== undefined && account !== options[own]) throw new InvalidOptionError('signer', `its key is ${account}'s, not the ${options.role}'s (\`${own}\` ${options[own]})`);
}

export function validateReestablishOptions(options: ReestablishOptions): void {
  const o = record(options, 'options');
  validateCommon(options);
  apiId(o, 'channelId', 'ch');
  if (o.role !== undefined) oneOf(o, 'role', ['initiator', 'responder']);
  if (o.networkId !== undefined) networkId(o, 'networkId');
}

function validateCommon(options: CommonOptions): void {
  const o = options as unknown as Fields;
  url(o);
  const signer = record(o.signer, 'signer');
  fn(signer, 'sign', 'signer');
  if (o.store !== undefined) {
    const store = record(o.store, 'store');
    for (const method of ['load', 'save']) fn(store, method, 'store');
  }
  if (o.timeouts !== undefined) {
    const timeouts = record(o.timeouts, 'timeouts');
    for (const name of Object.keys(timeouts)) if (timeouts[name] !== undefined) duration(timeouts, name, 'timeouts');
  }
  if (o.nodeTimeouts !== undefined) {
    const timeouts = record(o.nodeTimeouts, 'nodeTimeouts');
    for (const name of Object.keys(timeouts)) if (timeouts[name] !== undefined) duration(timeouts, name, 'nodeTimeouts');
  }
  if (o.retry !== undefined) {
    const retry = record(o.retry, 'retry');
    count(retry, 'attempts', 'retry');
    for (const name of ['baseDelayMs', 'maxDelayMs']) if (retry[name] !== undefined) count(retry, name, 'retry');
    if (retry.retryOn !== undefined) fn(retry, 'retryOn', 'retry');
  }
  // Merged over their defaults, so a key given as undefined would unset one: every key given must be set.
  if (o.reconnect !== undefined && o.reconnect !== false) {
    const reconnect = record(o.reconnect, 'reconnect');
    for (const name of Object.keys(reconnect)) {
      if (name === 'attempts') count(reconnect, name, 'reconnect');
      else if (name === 'baseDelayMs' || name === 'maxDelayMs') duration(reconnect, name, 'reconnect');
      else throw new InvalidOptionError(path('reconnect', name), 'is not an option of reconnect (attempts, baseDelayMs, maxDelayMs)');
    }
  }
  if (o.keepAlive !== undefined && o.keepAlive !== false) {
    const keepAlive = record(o.keepAlive, 'keepAlive');
    for (const name of Object.keys(keepAlive)) {
      if (name === 'intervalMs' || name === 'timeoutMs') duration(keepAlive, name, 'keepAlive');
      else throw new InvalidOptionError(path('keepAlive', name), 'is not an option of keepAlive (intervalMs, timeoutMs)');
    }
  }
  if (o.signPolicy !== undefined) {
    const policy = record(o.signPolicy, 'signPolicy');
    if (typeof policy.maxFeeFactor !== 'bigint' || policy.maxFeeFactor < 1n) throw new InvalidOptionError('signPolicy.maxFeeFactor', `must be a bigint of at least 1n, got ${show(policy.maxFeeFactor)}`);
    if (!Array.isArray(policy.delegates)) throw new InvalidOptionError('signPolicy.delegates', `must be an array of ak_ ids, got ${show(policy.delegates)}`);
    policy.delegates.forEach((_, n) => apiId(policy.delegates as unknown as Fields, String(n), 'ak', 'signPolicy.delegates'));
  }
  for (const name of ['autoSlash', 'keepRunning']) if (o[name] !== undefined && typeof o[name] !== 'boolean') throw new InvalidOptionError(name, `must be a boolean, got ${show(o[name])}`);
  if (o.transport !== undefined) fn(o, 'transport');
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host === '')) throw new InvalidOptionError('host', `must be a host name, got ${show(o.host)}`);
  if (o.port !== undefined && !(Number.isInteger(o.port) && (o.port as number) >= 1 && (o.port as number) <= 65_535)) throw new InvalidOptionError('port', `must be a port number 1..65535, got ${show(o.port)}`);
  if (o.minimumDepth !== undefined) count(o, 'minimumDepth');
  if (o.minimumDepthStrategy !== undefined) oneOf(o, 'minimumDepthStrategy', ['txfee', 'plain']);
}

function path(parent: string | undefined, name: string): string {
  return parent === undefined ? name : `${parent}.${name}`;
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'number') return `the number ${value}`;
  return value === null ? 'null' : typeof value;
}

function record(value: unknown, name: string): Fields {
  if (typeof value !== 'object' || value === null) throw new InvalidOptionError(name, `must be an object, got ${show(value)}`);
  return value as Fields;
}

function fn(o: Fields, name: string, parent?: string): void {
  if (typeof o[name] !== 'function') throw new InvalidOptionError(path(parent, name), `must be a function, got ${show(o[name])}`);
}

/**
 * Amounts, rounds, nonces and fees are bigints: a number above 2^53 is already wrong. Their range
 * is the node's to judge (a negative one is its `105 Value too low`, which fails the open at once).
 */
function amount(o: Fields, name: string): void {
  const value = o[name];
  if (typeof value === 'bigint') return;
  const hint = typeof value === 'number' && Number.isInteger(value) ? ` (write ${value}n, or BigInt("…") for values above 2^53)` : '';
  throw new InvalidOptionError(name, `must be a bigint, got ${show(value)}${hint}`);
}

/** A positive whole number of ms a timer can wait. */
function duration(o: Fields, name: string, parent: string): void {
  const value = o[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new InvalidOptionError(path(parent, name), `must be a whole number of ms in 1..${MAX_TIMER_MS}, got ${show(value)}`);
  }
}

function count(o: Fields, name: string, parent?: string): void {
  const value = o[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new InvalidOptionError(path(parent, name), `must be a whole number ≥ 0, got ${show(value)}`);
}

function oneOf(o: Fields, name: string, values: readonly string[]): void {
  if (!values.includes(o[name] as string)) throw new InvalidOptionError(name, `must be one of ${values.map((v) => `"${v}"`).join(', ')}, got ${show(o[name])}`);
}

function networkId(o: Fields, name: string): void {
  if (typeof o[name] !== 'string' || o[name] === '') throw new InvalidOptionError(name, `must be the node's network id, a non-empty string such as "ae_mainnet", got ${show(o[name])}`);
}

/** An API-encoded id of the expected kind, size and checksum (@ch/codec `decode`). */
function apiId(o: Fields, name: string, prefix: Prefix, parent?: string): void {
  const value = o[name];
  const where = path(parent, name);
  if (typeof value !== 'string') throw new InvalidOptionError(where, `must be a ${prefix}_ string, got ${show(value)}`);
  try {
    decode(value, prefix);
  } catch (e) {
    throw new InvalidOptionError(where, `${show(value)} is not a valid ${prefix}_ id: ${(e as Error).message}`);
  }
}

function url(o: Fields): void {
  const value = o.url;
  let parsed: URL | undefined;
  try {
    parsed = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:')) throw new InvalidOptionError('url', `must be the node's ws:// or wss:// channel endpoint, got ${show(value)}`);
}
