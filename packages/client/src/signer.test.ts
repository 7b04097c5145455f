/**
 * The signer answers for what is signed: whatever it returns is checked to be the requested tx
 * with our valid signature, and a signer that throws, stalls or answers nonsense is taken as a
 * refusal. Its context tells it what it signs.
 */
import { applyUpdates, encode, generateKeyPair, signTx, Tag, type Encoded } from '@ch/codec';
import { afterEach, describe, expect, test } from 'vitest';
import { AbortCode } from './errors.js';
import { secretKeySigner, type SignContext, type Signer, type SignOutcome } from './signer.js';
import { openScripted, unsigned, type ScriptedSession } from './test-support/scripted-node.js';
import { NETWORK_ID, SEED_TERMS } from './test-support/terms.js';

let session: ScriptedSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

/** Opens with a signer whose behaviour on the peer's proposals is `onAck`; returns the client's answer to one. */
async function answerTo(onAck: (tx: Encoded<'tx'>, context: SignContext, own: Signer) => SignOutcome | Promise<SignOutcome>, timeouts = {}): Promise<unknown> {
  const keys = { i: generateKeyPair() };
  const own = secretKeySigner(keys.i.secretKey);
  let opened = false;
  session = await openScripted({
    signer: { sign: (tx, context) => (opened ? onAck(tx, context, own) : own.sign(tx, context)) },
    timeouts,
    keys,
  });
  opened = true;
  const { conn, opened: channel, i, r } = session;
  const updates = [{ op: 'OffChainTransfer' as const, from: r.publicKey, to: i.publicKey, amount: 1n }];
  const next = applyUpdates(channel.state, updates, SEED_TERMS.channelReserve);
  const proposal = signTx(unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId: channel.channelId, round: 2n, stateHash: encode(next.stateHash(), 'st') }), r.secretKey, NETWORK_ID);
  conn.notify('channels.sign.update_ack', { signed_tx: proposal, updates });
  const answer = await conn.nextMethod('channels.update_ack', 3000);
  return answer.params;
}

describe('signers', () => {
  test('the context names the request, the role, the network, the channel, the tx and its updates', async () => {
    const contexts: SignContext[] = [];
    await answerTo((tx, context, own) => {
      contexts.push(context);
      return own.sign(tx, context);
    });
    const [context] = contexts;
    expect(context).toMatchObject({ method: 'channels.sign.update_ack', role: 'initiator', networkId: NETWORK_ID, channelId: session!.opened.channelId, own: false });
    expect(context?.tx).toMatchObject({ tag: Tag.ChannelOffChainTx, round: 2n });
    expect(context?.updates).toEqual([{ op: 'OffChainTransfer', from: session!.r.publicKey, to: session!.i.publicKey, amount: 1n }]);
  });

  test.each<[string, (tx: Encoded<'tx'>, context: SignContext, own: Signer) => SignOutcome | Promise<SignOutcome>]>([
    ['throws', () => {
      throw new Error('hardware wallet unplugged');
    }],
    ['stalls past the sign timeout', () => new Promise(() => undefined)],
    ['returns an abort code out of range', () => ({ abort: 70000 })],
    ['returns no tx', () => 'nonsense' as Encoded<'tx'>],
    ['returns another tx', (_tx, context, own) => own.sign(unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId: context.channelId!, round: 9n, stateHash: encode(new Uint8Array(32), 'st') }), context)],
    ['signs for another network', (tx) => signTx(tx, session!.i.secretKey, 'ae_mainnet')],
    ['signs with another key', (tx) => signTx(tx, generateKeyPair().secretKey, NETWORK_ID)],
  ])('a signer that %s is taken as refusing', async (_name, onAck) => {
    expect(await answerTo(onAck, { sign: 200 })).toEqual({ error: AbortCode.SIGNER_FAILED });
  });

  test('a refusal of its own choosing goes to the node as it is', async () => {
    expect(await answerTo(() => ({ abort: 4242 }))).toEqual({ error: 4242 });
  });

  test('an async signer with the hashed-message form is accepted', async () => {
    const answer = (await answerTo(async (tx, context) => secretKeySigner(session!.i.secretKey, { hashed: true }).sign(tx, context))) as { signed_tx?: string };
    expect(answer.signed_tx?.startsWith('tx_')).toBe(true);
  });
});
