/**
 * Options are checked at runtime before anything connects: each invalid one is an
 * `InvalidOptionError` naming its path, and no socket is opened (a counting WebSocket server
 * stands where the node would be).
 */
import { encode, generateKeyPair } from '@ch/codec';
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Channel } from './channel.js';
import { ChannelErrorKind, InvalidOptionError } from './errors.js';
import type { OpenOptions, ReestablishOptions } from './options.js';
import { secretKeySigner } from './signer.js';
import { MemoryStore } from './store/store.js';
import { NETWORK_ID, SEED_TERMS } from './test-support/terms.js';

let server: WebSocketServer;
let url: string;
let connections = 0;
beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => {
    connections++;
    socket.close();
  });
  url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/channel`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const [i, r] = [generateKeyPair(), generateKeyPair()];
const CHANNEL_ID = encode(new Uint8Array(32).fill(7), 'ch');

function valid(): OpenOptions {
  return { url, role: 'initiator', networkId: NETWORK_ID, initiatorId: i.publicKey, responderId: r.publicKey, ...SEED_TERMS, signer: secretKeySigner(i.secretKey), store: new MemoryStore() };
}

/** `id` with one base58 character changed: same prefix and length, wrong checksum. */
function badChecksum(id: string): string {
  const at = 10;
  const swapped = id[at] === 'a' ? 'b' : 'a';
  return `${id.slice(0, at)}${swapped}${id.slice(at + 1)}`;
}

async function invalidOption(open: () => Promise<unknown>): Promise<InvalidOptionError> {
  const before = connections;
  const error = await open().then(
    () => {
      throw new Error('accepted');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidOptionError);
  expect((error as InvalidOptionError).kind).toBe(ChannelErrorKind.INVALID_OPTION);
  // Give a socket that was opened anyway the time to reach the server.
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(connections).toBe(before);
  return error as InvalidOptionError;
}

const other = generateKeyPair();
const OPEN_CASES: readonly [string, Record<string, unknown>, string, RegExp?][] = [
  ['a JS number as an amount', { initiatorAmount: 70_000_000_000_000 }, 'initiatorAmount', /must be a bigint, got the number 70000000000000 \(write 70000000000000n/],
  ['a number amount', { responderAmount: 4e13 }, 'responderAmount'],
  ['a number push amount', { pushAmount: 1 }, 'pushAmount'],
  ['a string reserve', { channelReserve: '2' }, 'channelReserve'],
  ['no lock period', { lockPeriod: undefined }, 'lockPeriod'],
  ['a number fee', { fee: 20_000 }, 'fee'],
  ['an initiator id with a bad checksum', { initiatorId: badChecksum(i.publicKey) }, 'initiatorId', /bad checksum/],
  ['a responder id of another kind', { responderId: CHANNEL_ID }, 'responderId', /expected a ak_ string/],
  ['a responder id that is the initiator', { responderId: i.publicKey }, 'responderId'],
  ['an empty network id', { networkId: '' }, 'networkId'],
  ['an http url', { url: 'http://127.0.0.1:3014/channel' }, 'url'],
  ['no url at all', { url: 'localhost:3014' }, 'url'],
  ['an unknown role', { role: 'both' }, 'role'],
  ['a zero open timeout', { timeouts: { open: 0 } }, 'timeouts.open'],
  ['a negative request timeout', { timeouts: { request: -5 } }, 'timeouts.request'],
  ['a fractional connect timeout', { timeouts: { connect: 1.5 } }, 'timeouts.connect'],
  ['an infinite update timeout', { timeouts: { update: Infinity } }, 'timeouts.update'],
  ['reconnect attempts given as undefined (reconnecting without end)', { reconnect: { attempts: undefined } }, 'reconnect.attempts'],
  ['infinite reconnect attempts', { reconnect: { attempts: Infinity } }, 'reconnect.attempts'],
  ['a NaN reconnect delay (a tight redial loop)', { reconnect: { baseDelayMs: NaN } }, 'reconnect.baseDelayMs'],
  ['a keep-alive interval of 0 (a ping flood)', { keepAlive: { intervalMs: 0 } }, 'keepAlive.intervalMs'],
  ['a keep-alive timeout above the timer limit (it fires at once)', { keepAlive: { timeoutMs: 2 ** 31 } }, 'keepAlive.timeoutMs'],
  ['an unknown keep-alive option', { keepAlive: { interval: 5000 } }, 'keepAlive.interval'],
  ['a node timeout of 0', { nodeTimeouts: { idle: 0 } }, 'nodeTimeouts.idle'],
  ['a signer without sign', { signer: {} }, 'signer.sign'],
  ["a signer holding another account's key", { signer: secretKeySigner(other.secretKey) }, 'signer', /not the initiator's/],
  ['a port out of range', { port: 70_000 }, 'port'],
  ['an unknown depth strategy', { minimumDepthStrategy: 'fast' }, 'minimumDepthStrategy'],
  ['a number fee factor', { signPolicy: { maxFeeFactor: 5, delegates: [] } }, 'signPolicy.maxFeeFactor'],
  ['a broken delegate', { signPolicy: { maxFeeFactor: 5n, delegates: [badChecksum(r.publicKey)] } }, 'signPolicy.delegates.0'],
  ['negative retry attempts', { retry: { attempts: -1 } }, 'retry.attempts'],
  ['a string autoSlash', { autoSlash: 'yes' }, 'autoSlash'],
];

describe('Channel.open and Channel.connect', () => {
  test.each(OPEN_CASES)('%s is an InvalidOptionError naming the option, and no socket opens', async (_, change, option, message) => {
    const options = { ...valid(), ...change } as OpenOptions;
    const error = await invalidOption(() => Channel.open(options));
    expect(error.option).toBe(option);
    expect(error.message).toContain(`invalid option \`${option}\``);
    if (message) expect(error.message).toMatch(message);
    // `connect` throws at once rather than hand out a channel that can never open.
    expect(() => Channel.connect(options)).toThrow(InvalidOptionError);
  });
});

describe('Channel.reestablish and Channel.reconnect', () => {
  const base = (): ReestablishOptions => ({ url, channelId: CHANNEL_ID, signer: secretKeySigner(i.secretKey), store: new MemoryStore() });
  test.each([
    ['a channel id with a bad checksum', { channelId: badChecksum(CHANNEL_ID) }, 'channelId'],
    ['an account id as the channel id', { channelId: i.publicKey }, 'channelId'],
    ['an empty network id', { networkId: '' }, 'networkId'],
    ['a wss url with no host', { url: 'wss://' }, 'url'],
    ['an unknown role', { role: 'peer' }, 'role'],
    ['a zero sign timeout', { timeouts: { sign: 0 } }, 'timeouts.sign'],
  ] as const)('%s is an InvalidOptionError naming the option, before the store is read', async (_, change, option) => {
    const options = { ...base(), ...change } as unknown as ReestablishOptions;
    expect((await invalidOption(() => Channel.reestablish(options))).option).toBe(option);
    expect((await invalidOption(() => Channel.reconnect(options))).option).toBe(option);
  });
});

describe('secretKeySigner', () => {
  test('a key of neither 32 nor 64 bytes, or whose halves disagree, is refused at once', () => {
    for (const key of [new Uint8Array(10), new Uint8Array(0), new Uint8Array(63)]) {
      expect(() => secretKeySigner(key)).toThrow(InvalidOptionError);
      expect(() => secretKeySigner(key)).toThrow(/invalid option `secretKey`: secret key must be 32 or 64 bytes/);
    }
    const mismatched = Uint8Array.from([...i.secretKey.subarray(0, 32), ...r.secretKey.subarray(32)]);
    expect(() => secretKeySigner(mismatched)).toThrow(/its last 32 bytes are not the public key of its seed/);
    expect(() => secretKeySigner('sk_abc' as unknown as Uint8Array)).toThrow(InvalidOptionError);
    // Seeds and full keys are both fine.
    expect(() => secretKeySigner(i.secretKey.subarray(0, 32))).not.toThrow();
    expect(() => secretKeySigner(i.secretKey)).not.toThrow();
  });
});
