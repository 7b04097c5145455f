/**
 * Signers that take their time, decline, or are overtaken by a counter-proposal, against @ch/node
 * over real WebSockets. The channel goes on reading the node while a signer works; when the node
 * ends the round (a race's conflict, our own request superseding the peer's) the signer's signal
 * fires and nothing is sent for that round, whatever the signer answers later. What each client
 * sends is read off its socket (a recording transport around the real one).
 */
import { generateKeyPair } from '@ch/codec';
import type { ProfileName } from '@ch/node';
import { afterEach, describe, expect, test } from 'vitest';
import type { Channel } from './channel.js';
import { ConflictError } from './errors.js';
import { secretKeySigner, type SignContext, type Signer, type SignOutcome } from './signer.js';
import { openPair, type Pair } from './test-support/pair.js';
import { until } from './test-support/until.js';
import { connectWebSocket, type TransportFactory } from './transport.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

/** The sign replies a client sent: each frame's JSON-RPC method, when it answers a sign request. */
const SIGN_REPLIES = new Set(['channels.update', 'channels.update_ack']);

/** A real WebSocket whose outgoing frames are kept, to see what went out. */
function recorded(): { transport: TransportFactory; signReplies: () => string[] } {
  const sent: string[] = [];
  const transport: TransportFactory = async (url, handlers, timeoutMs) => {
    const inner = await connectWebSocket(url, handlers, timeoutMs);
    return {
      send: (text) => {
        sent.push(text);
        inner.send(text);
      },
      close: () => inner.close(),
    };
  };
  const signReplies = () => sent.map((text) => (JSON.parse(text) as { method: string }).method).filter((m) => SIGN_REPLIES.has(m));
  return { transport, signReplies };
}

/**
 * A signer a test can slow down or make decline (for updates only), recording what it saw: when
 * it was asked, when its signal fired, when it answered.
 */
function controllable(secretKey: Uint8Array) {
  const inner = secretKeySigner(secretKey);
  const log: { asked: number[]; aborted: number[]; answered: number[] } = { asked: [], aborted: [], answered: [] };
  let behaviour: 'sign' | { slowMs: number } | 'decline' | 'until_aborted' = 'sign';
  const signer: Signer = {
    async sign(tx, context: SignContext): Promise<SignOutcome> {
      const how = behaviour;
      if (how === 'sign' || !context.method.startsWith('channels.sign.update')) return inner.sign(tx, context);
      log.asked.push(Date.now());
      context.signal.addEventListener('abort', () => log.aborted.push(Date.now()));
      if (how === 'decline') return { decline: true };
      // A person who takes 2 s regardless, or who never decides until the channel withdraws the question.
      const ms = how === 'until_aborted' ? 10_000 : how.slowMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        if (how === 'until_aborted') context.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()));
      });
      log.answered.push(Date.now());
      return inner.sign(tx, context);
    },
  };
  return { signer, log, set: (b: typeof behaviour) => (behaviour = b) };
}

async function settled<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | { error: unknown }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise.then((value) => ({ value }), (error: unknown) => ({ error })), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function isConflict(outcome: { value: unknown } | { error: unknown }): boolean {
  return 'error' in outcome && outcome.error instanceof ConflictError;
}

/** Both still open at the same round: a transfer each way goes through. */
async function goesOn(I: Channel, R: Channel, pair: Pair): Promise<void> {
  const start = I.round;
  expect(R.round).toBe(start);
  expect(await settled(I.transfer(pair.i.publicKey, pair.r.publicKey, 3n), 10_000)).toEqual({ value: start + 1n });
  expect(await settled(R.transfer(pair.r.publicKey, pair.i.publicKey, 2n), 10_000)).toEqual({ value: start + 2n });
  expect([I.status, R.status, I.round, R.round]).toEqual(['open', 'open', start + 2n, start + 2n]);
  expect(I.state?.tx).toBe(R.state?.tx);
}

/** A pair on `profile` whose `side` signs through a controllable signer and sends over a recorded socket. */
async function openWatched(profile: ProfileName, side: 'initiator' | 'responder') {
  const wire = recorded();
  const keys = { i: generateKeyPair(), r: generateKeyPair() };
  const signer = controllable((side === 'initiator' ? keys.i : keys.r).secretKey);
  pair = await openPair(profile, { [side]: { signer: signer.signer, transport: wire.transport } }, keys);
  return { wire, signer, opened: pair };
}

describe.each<ProfileName>(['current', 'seed'])('signers that do not hold up the channel, node profile %s', (profile) => {
  test('a signer taking 2 s in a race: the conflict, the signal and a message arrive meanwhile; its late answer is never sent', { timeout: 30_000 }, async () => {
    const { wire, signer, opened } = await openWatched(profile, 'initiator');
    const { initiator: I, responder: R, i, r } = opened;
    const seen: { conflict?: number; message?: number } = {};
    I.on('conflict', () => (seen.conflict ??= Date.now()));
    I.on('message', () => (seen.message ??= Date.now()));

    signer.set({ slowMs: 2000 });
    const both = [I.transfer(i.publicKey, r.publicKey, 1n), R.transfer(r.publicKey, i.publicKey, 1n)].map((p) => settled(p, 10_000));
    await until(() => seen.conflict !== undefined, 5000);
    // The signer is still at work, and the channel still reads the node: the peer's message comes through.
    expect(signer.log.answered).toEqual([]);
    await R.sendMessage(i.publicKey, 'still there?');
    await until(() => seen.message !== undefined, 5000);
    expect(signer.log.answered).toEqual([]);
    const outcomes = await Promise.all(both);
    expect(outcomes.map(isConflict)).toEqual([true, true]);
    // The round ended before the signer answered: its signal fired then.
    expect(signer.log.asked).toHaveLength(1);
    expect(signer.log.aborted).toHaveLength(1);
    expect(signer.log.aborted[0]!).toBeLessThanOrEqual(seen.message!);

    // The answer comes 2 s in, and goes nowhere.
    signer.set('sign');
    await until(() => signer.log.answered.length === 1, 5000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(wire.signReplies()).toEqual([]);
    await goesOn(I, R, opened);
    expect(wire.signReplies()).toEqual(['channels.update', 'channels.update_ack']);
  });

  test('a signer that declines sends nothing: the race ends in a conflict for both, and the channel goes on', { timeout: 30_000 }, async () => {
    const { wire, signer, opened } = await openWatched(profile, 'initiator');
    const { initiator: I, responder: R, i, r } = opened;

    signer.set('decline');
    const outcomes = await Promise.all([I.transfer(i.publicKey, r.publicKey, 1n), R.transfer(r.publicKey, i.publicKey, 1n)].map((p) => settled(p, 10_000)));
    expect(outcomes.map(isConflict)).toEqual([true, true]);
    expect(signer.log.asked).toHaveLength(1);
    expect(wire.signReplies()).toEqual([]);
    signer.set('sign');
    await goesOn(I, R, opened);
  });

  test('a counter-proposal supersedes the peer’s pending request: a conflict for both, the signer told, nothing sent for it', { timeout: 30_000 }, async () => {
    const { wire, signer, opened } = await openWatched(profile, 'responder');
    const { initiator: I, responder: R, i, r } = opened;

    // The responder has not decided on the initiator's transfer when it proposes its own.
    signer.set('until_aborted');
    let counter: Promise<{ value: bigint } | { error: unknown }> | undefined;
    R.once('proposal', () => {
      counter = settled(R.transfer(r.publicKey, i.publicKey, 5n, { supersede: true }), 10_000);
    });
    const first = await settled(I.transfer(i.publicKey, r.publicKey, 1n), 10_000);
    await until(() => counter !== undefined, 5000);
    expect([isConflict(first), isConflict(await counter!)]).toEqual([true, true]);
    expect(signer.log.asked).toHaveLength(1);
    await until(() => signer.log.aborted.length === 1, 5000);
    await until(() => signer.log.answered.length === 1, 5000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(wire.signReplies()).toEqual([]);
    signer.set('sign');
    await goesOn(I, R, opened);
  });
});
