/**
 * An update request that reaches the FSM while it waits for its client's co-signature of the
 * peer's update (aesc_fsm handle_call_(awaiting_signature, ?UPDATE_REQ), "race detected") is
 * answered "ok" and dropped, and the peer's round ends in a conflict on both sides. Dropped, not
 * postponed: the request is never served later, so a client that counts it as ended by that
 * conflict is right.
 */
import { afterEach, expect, test } from 'vitest';
import { closeChannel, data, openChannel, transfer, type OpenChannel } from '../test-support/channel.js';
import type { Json } from '../test-support/client.js';

let channel: OpenChannel | undefined;
afterEach(async () => {
  await closeChannel(channel);
  channel = undefined;
});

const methods = (received: readonly Json[]) => received.map((m) => (m.method as string | undefined) ?? `reply ${String(m.result ?? 'error')}`);

test('a transfer requested while the client co-signs the peer’s is answered ok, dropped, and both sides get the conflict', async () => {
  channel = await openChannel('current');
  const { initiator: I, responder: R, i, r } = channel;
  I.notify('channels.update.new', { from: i.publicKey, to: r.publicKey, amount: 1 });
  I.request('channels.update', { signed_tx: I.sign(await I.nextMethod('channels.sign.update')) });
  await R.nextMethod('channels.sign.update_ack');
  const before = R.received.length;
  const id = R.request('channels.update.new', { from: r.publicKey, to: i.publicKey, amount: 2 });
  expect((await R.nextReply(id)).result).toBe('ok');
  const conflicts = await Promise.all([I.nextMethod('channels.conflict'), R.nextMethod('channels.conflict')]);
  expect(conflicts.map((m) => [data(m).round, data(m).error_code])).toEqual([
    [1, 2],
    [1, 2],
  ]);
  // The channel goes on at round 2, and the dropped request never comes back as a sign request.
  await transfer(I, R, i, r, 3);
  expect(methods(R.received.slice(before))).toEqual(['reply ok', 'channels.conflict', 'channels.info', 'channels.sign.update_ack', 'reply ok', 'channels.update']);
  expect(data(R.received.at(-1)!).state).toBe(data(I.received.at(-1)!).state);
});
