/**
 * Automatic reconnect against @ch/node over real WebSockets, each client behind its own proxy
 * that kills its socket (not its process) at random moments (seeded; CH_RECONNECT_SEED replays a
 * run, CH_RECONNECT_TRANSFERS sets the size). Every transfer resolves once, or rejects with a typed
 * error and is retried here, at the application level: at the end each was applied exactly once
 * (the balances are the sum of the transfers, each co-signed round went to one transfer) and both
 * sides hold the same co-signed state as the node.
 */
import { generateKeyPair, type Encoded } from '@ch/codec';
import type { RunningNode } from '@ch/node';
import { afterEach, describe, expect, test } from 'vitest';
import { seededRandom } from '../../../tools/seeded-random.js';
import { Channel } from './channel.js';
import { ChannelError } from './errors.js';
import type { OpenOptions } from './options.js';
import { openOptions, startTestNode, type Side } from './test-support/pair.js';
import { startSocketKiller, type SocketKiller } from './test-support/socket-killer.js';
import { until } from './test-support/until.js';

const TRANSFERS = Number(process.env.CH_RECONNECT_TRANSFERS ?? 1000);
const KILLS = 20;
/** Transfers in flight at once, so some wait in a queue while a socket is down. */
const WINDOW = 4;
const RECONNECT = { attempts: 30, baseDelayMs: 20, maxDelayMs: 400 };
const TIMEOUTS = { open: 20_000, update: 20_000, request: 5_000 };

let node: RunningNode | undefined;
let killers: SocketKiller[] = [];
let channels: Channel[] = [];
afterEach(async () => {
  for (const channel of channels) channel.disconnect();
  for (const killer of killers) await killer.close();
  await node?.stop();
  node = undefined;
  killers = [];
  channels = [];
});

/** A node, a killer in front of it per client, and the channel opened through them. */
async function openBehindKillers(side: Side = {}): Promise<{ I: Channel; R: Channel; i: { publicKey: Encoded<'ak'> }; r: { publicKey: Encoded<'ak'> } }> {
  const [i, r] = [generateKeyPair(), generateKeyPair()];
  node = await startTestNode('current', [i, r]);
  killers = [await startSocketKiller(node.port), await startSocketKiller(node.port)];
  const options = (role: 'initiator' | 'responder', url: string): OpenOptions => ({ ...openOptions(node!, i, r, role, { timeouts: TIMEOUTS, reconnect: RECONNECT, ...side }), url });
  const [I, R] = await Promise.all([Channel.open(options('initiator', killers[0]!.url)), Channel.open(options('responder', killers[1]!.url))]);
  channels = [I, R];
  return { I, R, i, r };
}

describe('automatic reconnect', () => {
  test(`${TRANSFERS} transfers from both sides, ${KILLS} socket kills at random moments: none lost, none applied twice`, { timeout: 120_000 }, async () => {
    const seed = Number(process.env.CH_RECONNECT_SEED ?? Date.now() % 2 ** 31);
    const random = seededRandom(seed);
    const { I, R, i, r } = await openBehindKillers();
    const start = { i: I.balanceOf(i.publicKey)!, r: I.balanceOf(r.publicKey)! };
    const reconnecting = [0, 0];
    const reconnected = [0, 0];
    channels.forEach((channel, n) => {
      channel.on('reconnecting', () => reconnecting[n]!++);
      channel.on('reconnected', () => reconnected[n]!++);
      // Errors are expected here (a refusal sent to a node that waits for nothing, a reply lost with a socket): counted by the outcome checks.
      channel.on('error', () => undefined);
    });

    // The kills: after random numbers of completed transfers, a few ms later, one client's socket or both.
    const killAt = Array.from({ length: KILLS }, () => 10 + Math.floor(random() * (TRANSFERS - 20))).sort((a, b) => a - b);
    let kills = 0;
    let socketsKilled = 0;
    const killing: Promise<void>[] = [];
    const completed = (count: number): void => {
      while (killAt.length > 0 && killAt[0]! <= count) {
        killAt.shift();
        const which = random();
        const targets = which < 0.4 ? [killers[0]!] : which < 0.8 ? [killers[1]!] : killers;
        const delay = Math.floor(random() * 15);
        killing.push(
          new Promise((resolve) => setTimeout(resolve, delay)).then(() => {
            kills++;
            for (const killer of targets) socketsKilled += killer.kill();
          }),
        );
      }
    };

    const rejections = new Map<string, number>();
    const applied: { n: number; round: bigint }[] = [];
    let next = 0;
    let done = 0;
    const expected = { i: start.i, r: start.r };
    const started = performance.now();
    const worker = async (): Promise<void> => {
      for (let n = next++; n < TRANSFERS; n = next++) {
        const amount = BigInt(1 + (n % 7));
        const [client, from, to] = n % 2 === 0 ? [I, i.publicKey, r.publicKey] : [R, r.publicKey, i.publicKey];
        for (let attempt = 1; ; attempt++) {
          try {
            applied.push({ n, round: await client.transfer(from, to, amount) });
            break;
          } catch (e) {
            if (!(e instanceof ChannelError) || attempt >= 100) throw e;
            rejections.set(e.kind, (rejections.get(e.kind) ?? 0) + 1);
            await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(Math.random() * 20)));
          }
        }
        if (n % 2 === 0) [expected.i, expected.r] = [expected.i - amount, expected.r + amount];
        else [expected.i, expected.r] = [expected.i + amount, expected.r - amount];
        completed(++done);
      }
    };
    const progress = process.env.CH_RECONNECT_DEBUG ? setInterval(() => console.info(`${done} done; ${I.status}/${R.status} rounds ${I.round}/${R.round}; reconnects ${reconnected.join('/')}; ${JSON.stringify(Object.fromEntries(rejections))}`), 3000) : undefined;
    await Promise.all(Array.from({ length: WINDOW }, worker));
    clearInterval(progress);
    await Promise.all(killing);
    const ms = performance.now() - started;
    await until(() => I.status === 'open' && R.status === 'open' && I.round === R.round, 20_000);
    console.info(
      `auto-reconnect (seed ${seed}): ${TRANSFERS} transfers applied in ${(ms / 1000).toFixed(2)} s; ${kills} kills (${socketsKilled} sockets); ` +
        `reconnects ${reconnected.join('/')} after ${reconnecting.join('/')} attempts; rejections retried: ${JSON.stringify(Object.fromEntries(rejections))}`,
    );

    // Each transfer resolved once, each with a round of its own, and no round went to anything else.
    expect(applied.map((a) => a.n).sort((a, b) => a - b)).toEqual(Array.from({ length: TRANSFERS }, (_, n) => n));
    expect(new Set(applied.map((a) => a.round)).size).toBe(TRANSFERS);
    expect(I.round).toBe(1n + BigInt(TRANSFERS));
    expect(I.state?.tx).toBe(R.state?.tx);
    expect([I.balanceOf(i.publicKey), I.balanceOf(r.publicKey)]).toEqual([expected.i, expected.r]);
    expect([R.balanceOf(i.publicKey), R.balanceOf(r.publicKey)]).toEqual([expected.i, expected.r]);
    const [nodeI, nodeR] = await Promise.all([I.offchainState(), R.offchainState()]);
    expect([nodeI.signed_tx, nodeR.signed_tx]).toEqual([I.state?.tx, I.state?.tx]);
    expect(await I.balances()).toEqual(new Map([[i.publicKey, expected.i], [r.publicKey, expected.r]]));
    expect(kills).toBe(KILLS);
    expect(reconnected[0]! + reconnected[1]!).toBeGreaterThan(0);

  });

  test('disconnect() never reconnects, even while the socket is down; a killed socket comes back by itself', { timeout: 30_000 }, async () => {
    const { I, R, i, r } = await openBehindKillers();
    const attempts: unknown[] = [];
    I.on('reconnecting', (a) => attempts.push(a));
    const before = killers[0]!.connections;
    I.disconnect();
    await until(() => I.status === 'disconnected', 5000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([attempts, killers[0]!.connections, I.status]).toEqual([[], before, 'disconnected']);
    await expect(I.transfer(i.publicKey, r.publicKey, 1n)).rejects.toMatchObject({ kind: 'not_allowed' });

    // The responder's socket dies: it is back by itself, at the same round.
    const back = new Promise((resolve) => R.once('reconnected', resolve));
    killers[1]!.kill();
    await expect(back).resolves.toMatchObject({ attempts: expect.any(Number) });
    expect([R.status, R.round]).toEqual(['open', 1n]);
    // Disconnected while the socket is down: the attempts stop.
    const stopped: unknown[] = [];
    R.on('reconnecting', (a) => stopped.push(a));
    killers[1]!.kill();
    await until(() => stopped.length > 0, 5000);
    R.disconnect();
    await until(() => R.status === 'disconnected', 5000);
    const connections = killers[1]!.connections;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect([killers[1]!.connections, stopped.length, R.status]).toEqual([connections, 1, 'disconnected']);
  });

  test('an operation asked while the socket is down waits, and goes through once the channel is back', { timeout: 30_000 }, async () => {
    const { I, R, i, r } = await openBehindKillers();
    const statuses: string[] = [];
    I.on('status', (status) => statuses.push(status));
    killers[0]!.setDown(true);
    killers[0]!.kill();
    await until(() => statuses.includes('reconnecting'), 5000);
    const transfer = I.transfer(i.publicKey, r.publicKey, 5n);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(I.status).not.toBe('open');
    killers[0]!.setDown(false);
    expect(await transfer).toBe(2n);
    expect(statuses.slice(0, 2)).toEqual(['reconnecting', 'reestablishing']);
    await until(() => R.round === 2n, 5000);
    expect([I.state?.tx, I.balanceOf(r.publicKey)]).toEqual([R.state?.tx, R.balanceOf(r.publicKey)]);
  });

  test('leave() never reconnects', { timeout: 30_000 }, async () => {
    const { I, R } = await openBehindKillers();
    const attempts: unknown[] = [];
    for (const channel of [I, R]) channel.on('reconnecting', (a) => attempts.push(a));
    const before = killers.map((k) => k.connections);
    await I.leave();
    await until(() => I.status === 'left' && R.status === 'left', 5000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([attempts, killers.map((k) => k.connections)]).toEqual([[], before]);
  });

  test('reconnect: false leaves a killed channel disconnected', { timeout: 30_000 }, async () => {
    const { I } = await openBehindKillers({ reconnect: false });
    killers[0]!.kill();
    await until(() => I.status === 'disconnected', 5000);
    expect(killers[0]!.connections).toBe(1);
  });
});
