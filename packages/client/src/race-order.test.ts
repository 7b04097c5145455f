/**
 * The real aeternity node (aesc_fsm handle_call_(awaiting_signature, upd_transfer), "race detected") answers our
 * `channels.update.new` with "ok" from inside the peer's round, but its WebSocket handler was
 * blocked in that call, so the peer's `channels.sign.update_ack` (sent by the FSM before the
 * reply) reaches the client AFTER the "ok", followed by the conflict that ends both. The own
 * transfer must reject with a ConflictError, not hang until timeouts.update.
 */
import { applyUpdates, encode, signTx, Tag, type Encoded, type KeyPair, type OffChainState } from '@ch/codec';
import { afterEach, describe, expect, test } from 'vitest';
import { ConflictError } from './errors.js';
import { openScripted, unsigned, type ScriptedSession } from './test-support/scripted-node.js';
import { NETWORK_ID, SEED_TERMS } from './test-support/terms.js';

let session: ScriptedSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

function offChain(channelId: Encoded<'ch'>, round: bigint, state: OffChainState, signers: readonly KeyPair[]): Encoded<'tx'> {
  const tx = unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId, round, stateHash: encode(state.stateHash(), 'st') });
  return signers.reduce((t, k) => signTx(t, k.secretKey, NETWORK_ID), tx);
}

describe.each([1, 2])('the real node race order: ok, then the peer sign.update_ack, then %i conflict(s)', (conflicts) => {
  test('our own transfer rejects with the ConflictError, the peer round ends', async () => {
    session = await openScripted({ timeouts: { update: 4000 } });
    const { conn, channel, opened, i, r } = session;
    const own = channel.transfer(i.publicKey, r.publicKey, 1n);
    const outcome = own.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    const request = await conn.nextMethod('channels.update.new');
    conn.reply(request, 'ok');
    const updates = [{ op: 'OffChainTransfer' as const, from: r.publicKey, to: i.publicKey, amount: 2n }];
    const next = applyUpdates(opened.state, updates, SEED_TERMS.channelReserve);
    conn.notify('channels.sign.update_ack', { signed_tx: offChain(opened.channelId, 2n, next, [r]), updates });
    const conflict = { channel_id: opened.channelId, error_code: 2, error_msg: 'conflict' as const, round: 1n };
    for (let n = 0; n < conflicts; n++) conn.notify('channels.conflict', conflict);
    const settled = await Promise.race([outcome, new Promise((resolve) => setTimeout(() => resolve('still pending after 2 s'), 2000))]);
    expect(settled).toBeInstanceOf(ConflictError);
    expect(settled).toMatchObject({ round: 1n, code: 2 });
    expect(channel.status).toBe('open');
    expect(channel.round).toBe(1n);
  });
});
