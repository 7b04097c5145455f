/**
 * A transport may hand itself over late (a custom one that does its own handshake, or a slow
 * event loop): the node's first messages then arrive before `connect` returns, and are handled
 * and answered all the same. The channel must come out open, not stuck in the status it had.
 */
import { afterEach, expect, test } from 'vitest';
import { Channel } from './channel.js';
import { openOptions, startTestNode } from './test-support/pair.js';
import { secretKeySigner } from './signer.js';
import { MemoryStore } from './store/store.js';
import { connectWebSocket, type TransportFactory } from './transport.js';
import { generateKeyPair } from '@ch/codec';
import type { RunningNode } from '@ch/node';

let node: RunningNode | undefined;
const channels: Channel[] = [];
afterEach(async () => {
  for (const c of channels.splice(0)) c.disconnect();
  await node?.stop();
  node = undefined;
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
