/**
 * json-rpc/sc_ws_basic_open_close.json replayed: opening, in-band messages, balances, rejected
 * update.new calls (1008, 1005, 1014), four transfers and the state queries. Each client must get
 * the recorded client's messages, compared on method, event and error codes. While the channel
 * opens, the chain's timing decides where the funding-lock events fall among the messages, so
 * that part is compared as a set.
 */
import { generateKeyPair } from '@ch/codec';
import { afterEach, expect, test } from 'vitest';
import { event, type Json } from './test-support/client.js';
import { connectPair, startTestNode } from './test-support/channel.js';
import { replay } from './test-support/replay.js';
import { loadTranscript, received, shape, type Step } from './test-support/transcripts.js';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/**
 * The opening sorted, the rest in order. The recorded clients exchanged in-band messages and read
 * balances while the create tx was being mined; the window ends where the first off-chain update
 * (or its rejection) begins.
 */
function canonical(shapes: string[]): string[] {
  const end = shapes.findIndex((s) => s.startsWith('error') || s === 'channels.sign.update' || s === 'info update');
  return [...shapes.slice(0, end).sort(), ...shapes.slice(end)];
}

test('sc_ws_basic_open_close: each client receives what the recorded one did', async () => {
  const steps = loadTranscript('json-rpc/sc_ws_basic_open_close.json');
  const open = steps.find((s) => s.dir === 'event' && (s as Step & { event?: string }).event === 'ws_open') as Step & { query: Record<string, string> };
  const i = generateKeyPair();
  const r = generateKeyPair();
  const node = await startTestNode('current', [i, r]);
  const { role: _role, host: _host, ...terms } = open.query;
  const [I, R] = await connectPair(node, i, r, terms);
  stop = async () => {
    await I.close();
    await R.close();
    await node.stop();
  };
  // Up to the first `channels.system stop`: who dies first after it is a race in the node too.
  const firstStop = steps.findIndex((s) => s.dir === 'send' && s.message?.method === 'channels.system');
  await replay(steps, { initiator: { client: I, recorded: open.query.initiator_id! }, responder: { client: R, recorded: open.query.responder_id! } }, firstStop);
  const upTo = steps.slice(0, firstStop);
  await I.waitForCount(received(upTo, 'initiator').length, 10_000);
  await R.waitForCount(received(upTo, 'responder').length, 10_000);
  expect(canonical(I.received.map(shape))).toEqual(canonical(received(upTo, 'initiator')));
  expect(canonical(R.received.map(shape))).toEqual(canonical(received(upTo, 'responder')));

  // Stopping: the stopped side gets "ok" then `died`; its peer's FSM dies with the connection.
  const id = R.request('channels.system', { action: 'stop' });
  expect(shape(await R.nextReply(id))).toBe('reply ok');
  await R.next((m: Json) => event(m) === 'died');
  await I.next((m: Json) => event(m) === 'died');
});
