/**
 * Sign replies by either of the names the node takes (`?METHOD_SIGNED`): a solo close and the
 * settle after it, answered `channels.<x>_sign` and `channels.<x>_tx`, both post their tx. Every
 * message the node sends on the way parses with the schema the client reads it with.
 */
import { parseMessage, stringifyJson, type SignReplyMethod } from '@ch/rpc';
import { afterEach, expect, test } from 'vitest';
import { closeChannel, data, openChannel, transfer, type OpenChannel } from '../test-support/channel.js';
import { event, type TestClient } from '../test-support/client.js';

let channel: OpenChannel | undefined;
afterEach(async () => {
  await closeChannel(channel);
  channel = undefined;
});

async function signWith(client: TestClient, request: string, reply: SignReplyMethod): Promise<void> {
  const sign = await client.nextMethod(request);
  const id = client.request(reply, { signed_tx: client.sign(sign) });
  expect((await client.nextReply(id)).result).toBe('ok');
}

test.each([
  ['channels.close_solo_sign', 'channels.settle_sign'],
  ['channels.close_solo_tx', 'channels.settle_tx'],
] as const)('a solo close answered %s and its settle %s both go on chain', async (closeReply, settleReply) => {
  channel = await openChannel('current');
  const { initiator, responder, i, r } = channel;
  await transfer(initiator, responder, i, r, 2);

  initiator.notify('channels.close_solo', {});
  await signWith(initiator, 'channels.sign.close_solo_sign', closeReply);
  for (const c of [initiator, responder]) {
    const closing = await c.nextMethod('channels.on_chain_tx');
    expect(data(closing)).toMatchObject({ info: 'solo_closing', type: 'channel_close_solo_tx' });
    await c.next((m) => event(m) === 'closing');
  }

  responder.notify('channels.settle', {});
  await signWith(responder, 'channels.sign.settle_sign', settleReply);
  for (const c of [initiator, responder]) {
    const closed = await c.nextMethod('channels.on_chain_tx');
    expect(data(closed)).toMatchObject({ info: 'channel_closed', type: 'channel_settle_tx' });
  }

  for (const c of [initiator, responder]) {
    for (const m of c.received) {
      const parsed = parseMessage(stringifyJson(m), 'fromNode');
      expect(parsed.ok ? undefined : parsed.error.message).toBeUndefined();
    }
  }
});
