/**
 * `Channel.connect` and `Channel.reconnect` hand out the channel before it is open, against the
 * local node: what the node serves during the opening (pings, messages, queries) goes through at
 * once, operations wait for the channel to open, and `opened` settles once either way, without
 * an unhandled rejection when nobody awaits it.
 */
import { encode, generateKeyPair, type Encoded } from '@ch/codec';
import type { RunningNode } from '@ch/node';
import { afterEach, describe, expect, test } from 'vitest';
import type { ChannelMessage } from './channel-events.js';
import { Channel } from './channel.js';
import { ChannelErrorKind, isChannelError } from './errors.js';
import { secretKeySigner } from './signer.js';
import { MemoryStore } from './store/store.js';
import { openOptions, startTestNode } from './test-support/pair.js';
import { connectWebSocket, type TransportFactory } from './transport.js';
import { until } from './test-support/until.js';
import { closedPort } from '../../../tools/closed-port.js';

let node: RunningNode | undefined;
const channels: Channel[] = [];
afterEach(async () => {
  for (const c of channels.splice(0)) c.disconnect();
  await node?.stop();
  node = undefined;
});

/** Unhandled rejections while `run` runs and for a moment after. */
async function unhandledRejections(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

describe('a channel handed out before it is open', () => {
  test('pings, messages and queries go through during the opening; a transfer waits for it to open', async () => {
    const [i, r] = [generateKeyPair(), generateKeyPair()];
    // Blocks only when mined here: the opening waits for the create tx to be one block deep.
    node = await startTestNode('current', [i, r], { mining: { intervalMs: 3_600_000 } });
    const I = Channel.connect(openOptions(node, i, r, 'initiator'));
    channels.push(I);
    expect(I.status).toBe('connecting');
    await I.ping(); // the responder is not even there
    expect(I.status).toBe('awaiting_open');

    const R = Channel.connect(openOptions(node, i, r, 'responder'));
    channels.push(R);
    const onChain = (channel: Channel, info: string) => new Promise<void>((resolve) => channel.on('onChainTx', (tx) => tx.info === info && resolve()));
    await Promise.all([onChain(I, 'funding_signed'), onChain(R, 'funding_created')]);
    const changed = Promise.all([onChain(I, 'channel_changed'), onChain(R, 'channel_changed')]);
    node.chain.mine();
    await changed;

    // Mined, not yet deep enough: where the recorded clients talk and ask for balances.
    const heard = new Promise<ChannelMessage>((resolve) => R.once('message', resolve));
    await I.sendMessage(r.publicKey, 'before the channel opens');
    expect(await heard).toEqual({ from: i.publicKey, to: r.publicKey, info: 'before the channel opens' });
    await R.ping();
    const initial = new Map([
      [i.publicKey, 69_999_999_999_999n],
      [r.publicKey, 40_000_000_000_001n],
    ]);
    expect(await I.balances()).toEqual(initial);
    expect(await R.balances()).toEqual(initial);
    const transfer = I.transfer(i.publicKey, r.publicKey, 10n);
    expect([I.status, R.status, I.round, R.round]).toEqual(['awaiting_locked', 'awaiting_locked', 0n, 0n]);

    node.chain.mine();
    expect(await I.opened).toBe(I);
    expect(await R.opened).toBe(R);
    // Queued during the opening, proposed once the channel was open.
    expect(await transfer).toBe(2n);
    await until(() => R.round === 2n);
    expect(R.balanceOf(r.publicKey)).toBe(40_000_000_000_011n);
  });

  test('a channel that cannot connect rejects `opened`, and what was asked meanwhile, at once', async () => {
    const [i, r] = [generateKeyPair(), generateKeyPair()];
    node = await startTestNode('current', [i, r]);
    const unreachable = { ...openOptions(node, i, r, 'initiator'), url: `ws://127.0.0.1:${await closedPort()}/channel` };
    const channel = Channel.connect({ ...unreachable, timeouts: { request: 60_000, update: 60_000 } });
    const ping = channel.ping();
    const transfer = channel.transfer(i.publicKey, r.publicKey, 1n);
    const error = await channel.opened.catch((e: unknown) => e);
    expect(isChannelError(error, ChannelErrorKind.DISCONNECTED)).toBe(true);
    // Settled with the same error, not after their own (minute-long) timeouts.
    await expect(ping).rejects.toBe(error);
    await expect(transfer).rejects.toBe(error);
    expect(channel.status).toBe('disconnected');
    await expect(Channel.open(unreachable)).rejects.toThrow(/could not connect/);
  });

  test('an opening that fails unawaited rejects nothing unhandled: no socket, a timeout, a disconnect', async () => {
    const [i, r] = [generateKeyPair(), generateKeyPair()];
    node = await startTestNode('current', [i, r]);
    const unreachable = { ...openOptions(node, i, r, 'initiator'), url: `ws://127.0.0.1:${await closedPort()}/channel` };
    const failed: Channel[] = [];
    const seen = await unhandledRejections(async () => {
      failed.push(Channel.connect(unreachable));
      // Connected, but the responder never comes: the opening times out and the socket is closed.
      failed.push(Channel.connect(openOptions(node!, i, r, 'initiator', { timeouts: { open: 300 } })));
      const dropped = Channel.connect(openOptions(node!, i, r, 'responder', { port: 13180 }));
      dropped.disconnect(); // before its socket is even open
      failed.push(dropped);
      await until(() => failed.every((c) => c.status === 'disconnected'));
    });
    expect(seen).toEqual([]);
    // Whoever looks later still learns why.
    const reasons = await Promise.all(failed.map((c) => c.opened.catch((e: unknown) => (isChannelError(e) ? e.kind : e))));
    expect(reasons).toEqual([ChannelErrorKind.DISCONNECTED, ChannelErrorKind.TIMEOUT, ChannelErrorKind.DISCONNECTED]);
  });

  test('reconnect: the reestablishing channel answers pings before the node reports it open', async () => {
    const [i, r] = [generateKeyPair(), generateKeyPair()];
    node = await startTestNode('current', [i, r]);
    const stores = [new MemoryStore(), new MemoryStore()] as const;
    const side = (store: MemoryStore) => ({ store, keepRunning: false });
    const [I, R] = await Promise.all([Channel.open(openOptions(node, i, r, 'initiator', side(stores[0]))), Channel.open(openOptions(node, i, r, 'responder', side(stores[1])))]);
    const channelId = I.channelId as Encoded<'ch'>;
    await Promise.all([I.leave(), R.leave()]);

    const back = await Promise.all(
      ([[i, stores[0]], [r, stores[1]]] as const).map(([key, store]) => Channel.reconnect({ url: node!.url, channelId, store, signer: secretKeySigner(key.secretKey), port: 13179 })),
    );
    channels.push(...back);
    expect(back.map((c) => c.status)).toEqual(['connecting', 'connecting']);
    await Promise.all(back.map((c) => c.ping()));
    expect(await Promise.all(back.map((c) => c.opened))).toEqual(back);
    expect(back.map((c) => [c.status, c.round])).toEqual([
      ['open', 1n],
      ['open', 1n],
    ]);
    await expect(Channel.reconnect({ url: node.url, channelId: encode(new Uint8Array(32), 'ch'), store: new MemoryStore(), signer: secretKeySigner(i.secretKey) })).rejects.toThrow(/no record/);
  });
});

/** Hands itself over only once the node has reported the channel open (and 20 ms more). */
const lateTransport: TransportFactory = async (url, handlers, timeoutMs) => {
  let heard!: () => void;
  const opened = new Promise<void>((resolve) => (heard = resolve));
  const onMessage = (text: string) => {
    handlers.onMessage(text);
    if (text.includes('"event":"open"')) heard();
  };
  const transport = await connectWebSocket(url, { ...handlers, onMessage }, timeoutMs);
  await opened;
  await new Promise((resolve) => setTimeout(resolve, 20));
  return transport;
};

/**
 * A transport may hand itself over late (a custom one that does its own handshake, or a slow event
 * loop): the node's first messages then arrive before `connect` returns, and are handled and
 * answered all the same. The channel must come out open, not stuck in the status it had.
 */
test('a channel the node reports open before the transport is handed over comes out open', async () => {
  const [i, r] = [generateKeyPair(), generateKeyPair()];
  node = await startTestNode('current', [i, r]);
  const stores = [new MemoryStore(), new MemoryStore()] as const;
  const side = (store: MemoryStore) => ({ store, keepRunning: false });
  const [I, R] = await Promise.all([Channel.open(openOptions(node, i, r, 'initiator', side(stores[0]))), Channel.open(openOptions(node, i, r, 'responder', side(stores[1])))]);
  const channelId = I.channelId!;
  await Promise.all([I.leave(), R.leave()]);

  const back = await Promise.all(
    ([[i, stores[0]], [r, stores[1]]] as const).map(([key, store]) =>
      Channel.reestablish({ url: node!.url, channelId, store, signer: secretKeySigner(key.secretKey), port: 13179, transport: lateTransport }),
    ),
  );
  channels.push(...back);
  expect(back.map((c) => c.status)).toEqual(['open', 'open']);
  expect(await back[0]!.transfer(i.publicKey, r.publicKey, 1n)).toBe(2n);
});
