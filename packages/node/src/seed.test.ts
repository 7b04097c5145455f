/**
 * The seed transcript, replayed against the node with raw JSON clients: both clients propose at
 * round 5 at once, twice; then the initiator aborts its own update with code 147. Each client must
 * receive what the seed's client received (methods, codes, rounds), and balances must not move.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { ProfileName } from './profiles.js';
import type { TestClient, Json } from './test-support/client.js';
import { closeChannel, openChannel, transfer, type OpenChannel } from './test-support/channel.js';
import { checkStateHashes } from './test-support/state-hashes.js';
import { loadTranscript, received, shape } from './test-support/transcripts.js';

let channel: OpenChannel | undefined;
afterEach(async () => {
  await closeChannel(channel);
  channel = undefined;
});

const INITIAL = [69999999999999, 40000000000001];

async function balances(c: OpenChannel): Promise<unknown[]> {
  const id = c.initiator.request('channels.get.balances', { accounts: [c.i.publicKey, c.r.publicKey] });
  const reply = await c.initiator.nextReply(id);
  return (reply.result as Json[]).map((b) => Number(b.balance));
}

/** Both clients propose at once and both sign at once, as in the seed. */
async function race(c: OpenChannel, first: [TestClient, Json], second: [TestClient, Json], conflicts: number): Promise<void> {
  first[0].notify('channels.update.new', first[1]);
  second[0].notify('channels.update.new', second[1]);
  const [a, b] = await Promise.all([first[0].nextMethod('channels.sign.update'), second[0].nextMethod('channels.sign.update')]);
  first[0].notify('channels.update', { signed_tx: first[0].sign(a) });
  second[0].notify('channels.update', { signed_tx: second[0].sign(b) });
  for (const client of [c.initiator, c.responder]) {
    for (let n = 0; n < conflicts; n++) await client.nextMethod('channels.conflict');
  }
}

async function playSeed(profile: ProfileName): Promise<{ i: string[]; r: string[] }> {
  channel = await openChannel(profile);
  const c = channel;
  const { initiator: I, responder: R, i, r } = c;
  // Rounds 2–5: four transfers that cancel out, back to the pushed initial balances.
  await transfer(I, R, i, r, 1);
  await transfer(R, I, r, i, 1);
  await transfer(I, R, i, r, 1);
  await transfer(R, I, r, i, 1);
  expect(await balances(c)).toEqual(INITIAL);
  const start = [I.received.length, R.received.length];

  const conflicts = profile === 'seed' ? 2 : 1;
  await race(c, [I, { from: i.publicKey, to: r.publicKey, amount: 1 }], [R, { from: i.publicKey, to: r.publicKey, amount: 2 }], conflicts);
  await race(c, [R, { from: r.publicKey, to: i.publicKey, amount: 1 }], [I, { from: r.publicKey, to: i.publicKey, amount: 2 }], conflicts);
  expect(await balances(c)).toEqual(INITIAL);

  I.notify('channels.update.new', { from: i.publicKey, to: r.publicKey, amount: 1 });
  await I.nextMethod('channels.sign.update');
  const abort = I.request('channels.update', { error: 147 });
  await I.nextReply(abort);
  await I.next((m) => m.method === 'channels.conflict' || m.method === 'channels.info');
  expect(await balances(c)).toEqual(INITIAL);

  // Every tx either client was sent carries the state hash @ch/codec computes for it.
  const terms = { initiator: i.publicKey, responder: r.publicKey, initiatorAmount: 70000000000000n, responderAmount: 40000000000000n, pushAmount: 1n, channelReserve: 2n };
  expect(checkStateHashes(I.received, terms)).toBeGreaterThan(8);
  expect(checkStateHashes(R.received, terms)).toBeGreaterThan(8);

  return { i: I.received.slice(start[0]).map(shape), r: R.received.slice(start[1]).map(shape) };
}

describe('the seed transcript (000_16b59c4208d5b87d)', () => {
  const seed = loadTranscript('seed/000_16b59c4208d5b87d.json');

  test('profile seed: each client gets exactly the seed’s messages', async () => {
    const got = await playSeed('seed');
    expect(got.i).toEqual(received(seed, 'initiator'));
    expect(got.r).toEqual(received(seed, 'responder'));
  });

  test('profile current: one conflict per side, abort reported as aborted_update', async () => {
    const got = await playSeed('current');
    const once = (shapes: string[]) => shapes.filter((s, n) => !(s.startsWith('conflict 2') && shapes[n - 1] === s));
    const expected = (actor: 'initiator' | 'responder') =>
      once(received(seed, actor)).map((s) => (s === 'conflict 147 user-defined 5' ? 'info aborted_update' : s));
    expect(got.i).toEqual(expected('initiator'));
    expect(got.r).toEqual(expected('responder'));
  });
});
