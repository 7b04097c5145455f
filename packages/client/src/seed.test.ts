/**
 * The seed transcript (000_16b59c4208d5b87d) played by two of our clients against the local node,
 * in both node vintages: four transfers that cancel out up to round 5, two races at round 5 that
 * both sides lose with a `ConflictError` (the 2019 node reports each race twice per side), an
 * update the initiator's signer refuses with code 147, then updates that go through.
 */
import { generateKeyPair } from '@ch/codec';
import type { ProfileName } from '@ch/node';
import { afterEach, describe, expect, test } from 'vitest';
import type { Channel } from './channel.js';
import type { ConflictEvent } from './channel-events.js';
import { ConflictError } from './errors.js';
import { secretKeySigner, type Signer } from './signer.js';
import { openPair, type Pair } from './test-support/pair.js';
import { until } from './test-support/until.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

const INITIAL = [69999999999999n, 40000000000001n];

async function balances(pair: Pair, channel: Channel): Promise<bigint[]> {
  const b = await channel.balances();
  return [b.get(pair.i.publicKey)!, b.get(pair.r.publicKey)!];
}

describe.each<ProfileName>(['seed', 'current'])('the seed scenario, node profile %s', (profile) => {
  test('races at round 5 end in ConflictError on both sides; an abort with 147 too; then updates go on', async () => {
    const keys = { i: generateKeyPair(), r: generateKeyPair() };
    const own = secretKeySigner(keys.i.secretKey);
    // The initiator's signer refuses its next own update with code 147 when told to.
    let abortNext = false;
    const initiatorSigner: Signer = {
      sign: (tx, context) => {
        if (!abortNext || !context.own) return own.sign(tx, context);
        abortNext = false;
        return { abort: 147 };
      },
    };
    pair = await openPair(profile, { initiator: { signer: initiatorSigner } }, keys);
    const { initiator: I, responder: R, i, r } = pair;
    const conflicts: Record<'I' | 'R', ConflictEvent[]> = { I: [], R: [] };
    I.on('conflict', (c) => conflicts.I.push(c));
    R.on('conflict', (c) => conflicts.R.push(c));

    // Rounds 2–5: four transfers that cancel out.
    expect(await I.transfer(i.publicKey, r.publicKey, 1n)).toBe(2n);
    expect(await R.transfer(r.publicKey, i.publicKey, 1n)).toBe(3n);
    expect(await I.transfer(i.publicKey, r.publicKey, 1n)).toBe(4n);
    expect(await R.transfer(r.publicKey, i.publicKey, 1n)).toBe(5n);
    expect(await balances(pair, I)).toEqual(INITIAL);
    expect([I.balanceOf(i.publicKey), I.balanceOf(r.publicKey)]).toEqual(INITIAL);

    // Both propose at once, twice, as in the seed.
    const perRace = profile === 'seed' ? 2 : 1;
    const races: [Channel, Parameters<Channel['transfer']>, Channel, Parameters<Channel['transfer']>][] = [
      [I, [i.publicKey, r.publicKey, 1n], R, [i.publicKey, r.publicKey, 2n]],
      [R, [r.publicKey, i.publicKey, 1n], I, [r.publicKey, i.publicKey, 2n]],
    ];
    for (const [n, [first, a, second, b]] of races.entries()) {
      const outcomes = await Promise.allSettled([first.transfer(...a), second.transfer(...b)]);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        const error = (outcome as PromiseRejectedResult).reason as ConflictError;
        expect(error).toBeInstanceOf(ConflictError);
        expect([error.round, error.code, error.message]).toEqual([5n, 2, 'conflict']);
      }
      await until(() => conflicts.I.length >= perRace * (n + 1) && conflicts.R.length >= perRace * (n + 1));
      expect([I.status, R.status, I.round, R.round]).toEqual(['open', 'open', 5n, 5n]);
    }
    expect(await balances(pair, I)).toEqual(INITIAL);
    // The 2019 node's second report of each race settles nothing: it is flagged as a straggler.
    expect(conflicts.I.filter((c) => c.stray)).toHaveLength(perRace - 1 + (perRace - 1));
    expect(conflicts.R.every((c) => c.round === 5n && c.code === 2)).toBe(true);

    // The initiator's signer refuses with 147.
    abortNext = true;
    const aborted = await I.transfer(i.publicKey, r.publicKey, 1n).catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(ConflictError);
    expect(aborted).toMatchObject({ round: 5n, code: 147, message: 'user-defined', aborted: true });
    expect(await balances(pair, I)).toEqual(INITIAL);
    expect(I.status).toBe('open');

    // And the channel goes on.
    expect(await I.transfer(i.publicKey, r.publicKey, 1n)).toBe(6n);
    expect(await R.transfer(r.publicKey, i.publicKey, 3n)).toBe(7n);
    expect(await balances(pair, R)).toEqual([INITIAL[0]! + 2n, INITIAL[1]! - 2n]);
    expect(R.state?.tx).toBe(I.state?.tx);
  });
});
