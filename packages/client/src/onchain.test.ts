/**
 * Operations that go through the chain, against the local node: deposits, withdrawals, the mutual
 * close, leaving and reestablishing, snapshots, solo closing and settling.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Channel } from './channel.js';
import { secretKeySigner } from './signer.js';
import { MemoryStore } from './store/store.js';
import { openPair, type Pair } from './test-support/pair.js';
import { until } from './test-support/until.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

describe('on-chain operations', () => {
  test('deposit and withdraw: new co-signed rounds once locked on chain', async () => {
    pair = await openPair('current');
    const { initiator: I, responder: R, i, r } = pair;
    expect(await I.deposit(10n)).toBe(2n);
    expect(R.round).toBe(2n);
    expect(I.balanceOf(i.publicKey)).toBe(69999999999999n + 10n);
    expect(await R.withdraw(5n)).toBe(3n);
    expect(I.balanceOf(r.publicKey)).toBe(40000000000001n - 5n);
    expect(await I.balances()).toEqual(new Map([[i.publicKey, 70000000000009n], [r.publicKey, 39999999999996n]]));
  });

  test('shutdown: both sign the close tx; the channel closes', async () => {
    pair = await openPair('current');
    const { initiator: I, responder: R, i, r } = pair;
    await I.transfer(i.publicKey, r.publicKey, 100n);
    const close = await R.shutdown();
    expect(close.startsWith('tx_')).toBe(true);
    await until(() => I.status === 'closed' && R.status === 'closed');
  });

  test('snapshot, then close solo and settle after the lock period', async () => {
    pair = await openPair('current');
    const { initiator: I, responder: R, i, r } = pair;
    await I.transfer(i.publicKey, r.publicKey, 7n);
    expect((await I.snapshot()).startsWith('tx_')).toBe(true);
    await R.transfer(r.publicKey, i.publicKey, 2n);
    await I.closeSolo();
    await until(() => I.status === 'closing' && R.status === 'closing');
    // The local node mines on demand; the lock period (10 blocks) passes as it does.
    for (let n = 0; n < 11; n++) pair.node.chain.mine();
    await I.settle();
    await until(() => I.status === 'closed' && R.status === 'closed');
  });

  test('leave, then reestablish both sides from their stores', async () => {
    const stores = { initiator: new MemoryStore(), responder: new MemoryStore() };
    const side = (store: MemoryStore) => ({ store, keepRunning: false });
    pair = await openPair('current', { initiator: side(stores.initiator), responder: side(stores.responder) });
    const { initiator: I, responder: R, i, r } = pair;
    await I.transfer(i.publicKey, r.publicKey, 3n);
    expect(await I.leave()).toBe(I.state?.tx);
    await until(() => I.status === 'left' && R.status === 'left');
    const again = await Promise.all(
      (['initiator', 'responder'] as const).map((role) =>
        Channel.reestablish({ url: pair!.node.url, channelId: I.channelId!, store: stores[role], signer: secretKeySigner((role === 'initiator' ? i : r).secretKey), port: 13179 }),
      ),
    );
    try {
      for (const channel of again) expect([channel.status, channel.round]).toEqual(['open', 2n]);
      expect(await again[1]!.transfer(r.publicKey, i.publicKey, 1n)).toBe(3n);
      expect(again[0]!.balanceOf(r.publicKey)).toBe(40000000000003n);
    } finally {
      for (const channel of again) channel.disconnect();
    }
  });

  test('the initiator leaves and comes back; the responder, kept running, never noticed', async () => {
    const store = new MemoryStore();
    pair = await openPair('current', { initiator: { store } });
    const { initiator: I, responder: R, i, r } = pair;
    await R.transfer(r.publicKey, i.publicKey, 4n);
    await I.leave();
    await until(() => I.status === 'left');
    const back = await Channel.reestablish({ url: pair.node.url, channelId: I.channelId!, store, signer: secretKeySigner(i.secretKey), port: 13179 });
    try {
      expect(back.round).toBe(2n);
      expect(await R.transfer(r.publicKey, i.publicKey, 1n)).toBe(3n);
      expect(await back.transfer(i.publicKey, r.publicKey, 5n)).toBe(4n);
      expect(R.status).toBe('open');
    } finally {
      back.disconnect();
    }
  });
});
