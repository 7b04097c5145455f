/**
 * Forged sign requests from a scripted node: every one is refused with the abort code of its
 * reason, never signed, and reported as a `refused` event; the channel stays at its last
 * co-signed round.
 */
import { applyUpdates, encode, generateKeyPair, signTx, Tag, type Encoded, type KeyPair, type OffChainState, type OffChainUpdate } from '@ch/codec';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Channel } from './channel.js';
import { AbortCode, RefusedError } from './errors.js';
import { NETWORK_ID, SEED_TERMS } from './test-support/terms.js';
import { openScripted, unsigned, type Json, type ScriptedChannel, type ScriptedConnection, type ScriptedSession } from './test-support/scripted-node.js';

let session: ScriptedSession;
let conn: ScriptedConnection;
let channel: Channel;
let opened: ScriptedChannel;
let i: KeyPair;
let r: KeyPair;
let refusals: RefusedError[];

beforeEach(async () => {
  session = await openScripted();
  ({ conn, channel, opened, i, r } = session);
  refusals = [];
  channel.on('refused', (e) => refusals.push(e));
});

afterEach(() => session.close());

const transfer = (from: KeyPair, to: KeyPair, amount: bigint): OffChainUpdate => ({ op: 'OffChainTransfer', from: from.publicKey, to: to.publicKey, amount });

function offChain(channelId: Encoded<'ch'>, round: bigint, state: OffChainState, signers: readonly KeyPair[] = [r]): Encoded<'tx'> {
  const tx = unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId, round, stateHash: encode(state.stateHash(), 'st') });
  return signers.reduce((t, k) => signTx(t, k.secretKey, NETWORK_ID), tx);
}

const after = (updates: OffChainUpdate[]): OffChainState => applyUpdates(opened.state, updates, SEED_TERMS.channelReserve);

/** Sends a peer proposal and returns the client's answer to it. */
async function propose(tx: Encoded<'tx'>, updates: OffChainUpdate[], method = 'channels.sign.update_ack'): Promise<Json> {
  conn.send({ jsonrpc: '2.0', method, params: { channel_id: opened.channelId, data: { signed_tx: tx, updates: updates as never } }, version: 1 });
  const answer = await conn.nextMethod(method === 'channels.sign.update_ack' ? 'channels.update_ack' : 'channels.update');
  conn.reply(answer, 'ok');
  conn.notify('channels.info', { event: 'aborted_update' });
  return answer.params as Json;
}

describe('peer proposals that do not check out are refused, never signed', () => {
  const t1 = () => [transfer(r, i, 1n)];

  test.each([
    ['wrong channel id', () => offChain(encode(new Uint8Array(32).fill(1), 'ch'), 2n, after(t1())), AbortCode.WRONG_CHANNEL],
    ['wrong round (skips one)', () => offChain(opened.channelId, 3n, after(t1())), AbortCode.WRONG_ROUND],
    ['wrong round (replays the last)', () => offChain(opened.channelId, 1n, after(t1())), AbortCode.WRONG_ROUND],
    ['wrong state hash', () => offChain(opened.channelId, 2n, after([transfer(r, i, 2n)])), AbortCode.WRONG_STATE_HASH],
    ['inflated amount (the hash moves more than the listed update)', () => offChain(opened.channelId, 2n, after([transfer(i, r, 1_000_000n)])), AbortCode.WRONG_STATE_HASH],
    ['unsigned by the peer', () => offChain(opened.channelId, 2n, after(t1()), []), AbortCode.MISSING_SIGNATURE],
    ['signed by someone else', () => offChain(opened.channelId, 2n, after(t1()), [generateKeyPair()]), AbortCode.MISSING_SIGNATURE],
  ])('%s', async (_name, forge, code) => {
    const answer = await propose(forge(), t1());
    expect(answer).toEqual({ error: code });
    expect(refusals.map((e) => e.code)).toEqual([code]);
    expect(channel.round).toBe(1n);
  });

  test('a tx of another kind (a withdrawal passed off as an update)', async () => {
    const withdraw = unsigned({
      tag: Tag.ChannelWithdrawTx,
      version: 1,
      channelId: opened.channelId,
      toId: r.publicKey,
      amount: 1n,
      ttl: 0n,
      fee: 1n,
      stateHash: encode(after([{ op: 'OffChainWithdrawal', to: r.publicKey, amount: 1n }]).stateHash(), 'st'),
      round: 2n,
      nonce: 1n,
    });
    const answer = await propose(signTx(withdraw, r.secretKey, NETWORK_ID), [{ op: 'OffChainWithdrawal', to: r.publicKey, amount: 1n }]);
    expect(answer).toEqual({ error: AbortCode.WRONG_TX_KIND });
  });

  test('an update below the channel reserve', async () => {
    const updates = [transfer(r, i, SEED_TERMS.responderAmount + 1n)];
    const answer = await propose(offChain(opened.channelId, 2n, opened.state), updates);
    expect(answer).toEqual({ error: AbortCode.INVALID_UPDATES });
  });

  test('a contract update, whose state needs a VM to check', async () => {
    const code = encode(new Uint8Array(40), 'cb');
    const updates = [{ op: 'OffChainNewContract' as const, owner: r.publicKey, vm_version: 7, abi_version: 3, code, deposit: 10n, call_data: code }];
    conn.send({ jsonrpc: '2.0', method: 'channels.sign.update_ack', params: { channel_id: opened.channelId, data: { signed_tx: offChain(opened.channelId, 2n, opened.state), updates } }, version: 1 });
    const answer = await conn.nextMethod('channels.update_ack');
    expect(answer.params).toEqual({ error: AbortCode.UNVERIFIABLE_UPDATES });
  });

  test('a sign request that does not even parse', async () => {
    conn.send({ jsonrpc: '2.0', method: 'channels.sign.update_ack', params: { channel_id: opened.channelId, data: { signed_tx: 'tx_garbage', updates: [] } }, version: 1 });
    const answer = await conn.nextMethod('channels.update_ack');
    expect(answer.params).toEqual({ error: AbortCode.MALFORMED_TX });
  });

  test('a sign request for an update this client never asked for', async () => {
    const updates = [transfer(i, r, 5n)];
    const answer = await propose(offChain(opened.channelId, 2n, after(updates), []), updates, 'channels.sign.update');
    expect(answer).toEqual({ error: AbortCode.UNEXPECTED_REQUEST });
  });

  test('1,000 random forgeries: all refused', async () => {
    const updates = t1();
    const good = after(updates);
    for (let n = 0; n < 1000; n++) {
      const kind = n % 4;
      const round = kind === 0 ? 2n + BigInt(1 + (n % 7)) : 2n;
      const channelId = kind === 1 ? encode(globalThis.crypto.getRandomValues(new Uint8Array(32)), 'ch') : opened.channelId;
      const state = kind === 2 ? after([transfer(r, i, BigInt(2 + n))]) : good;
      const signers = kind === 3 ? [generateKeyPair()] : [r];
      const answer = await propose(offChain(channelId, round, state, signers), updates);
      expect(answer.error).toBeGreaterThanOrEqual(128);
      expect(answer.signed_tx).toBeUndefined();
    }
    expect(refusals).toHaveLength(1000);
    expect(channel.round).toBe(1n);
  });
});

describe("this client's own requests answered with something else", () => {
  async function ownTransfer(forge: (asked: OffChainUpdate[]) => { tx: Encoded<'tx'>; updates: OffChainUpdate[] }, code: number): Promise<void> {
    // The refusal settles the transfer at once, before the node's report of the round's end.
    const pending = channel.transfer(i.publicKey, r.publicKey, 1n).then(() => undefined, (e: unknown) => e);
    const request = await conn.nextMethod('channels.update.new');
    conn.reply(request, 'ok');
    const { tx, updates } = forge([transfer(i, r, 1n)]);
    conn.notify('channels.sign.update', { signed_tx: tx, updates: updates as never });
    const answer = await conn.nextMethod('channels.update');
    expect(answer.params).toEqual({ error: code });
    conn.reply(answer, 'ok');
    // As the 2019 node does: the abort comes back as a conflict with the client's code.
    conn.notify('channels.conflict', { channel_id: opened.channelId, error_code: code, error_msg: 'user-defined', round: 1n });
    const error = await pending;
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as RefusedError).code).toBe(code);
    expect(channel.round).toBe(1n);
  }

  test('inflated amount: the node lists and hashes 1000 for a transfer of 1', async () => {
    await ownTransfer(() => {
      const updates = [transfer(i, r, 1000n)];
      return { tx: offChain(opened.channelId, 2n, after(updates), []), updates };
    }, AbortCode.WRONG_UPDATES);
  });

  test('the asked updates, but a state hash of others', async () => {
    await ownTransfer((asked) => ({ tx: offChain(opened.channelId, 2n, after([transfer(i, r, 2n)]), []), updates: asked }), AbortCode.WRONG_STATE_HASH);
  });

  test('wrong round', async () => {
    await ownTransfer((asked) => ({ tx: offChain(opened.channelId, 5n, after(asked), []), updates: asked }), AbortCode.WRONG_ROUND);
  });

  test('wrong channel', async () => {
    await ownTransfer((asked) => ({ tx: offChain(encode(new Uint8Array(32).fill(9), 'ch'), 2n, after(asked), []), updates: asked }), AbortCode.WRONG_CHANNEL);
  });

  test('a deposit asked for 10, a deposit tx of 1000 offered', async () => {
    const pending = channel.deposit(10n).then(() => undefined, (e: unknown) => e);
    const request = await conn.nextMethod('channels.deposit');
    conn.reply(request, 'ok');
    const updates: OffChainUpdate[] = [{ op: 'OffChainDeposit', from: i.publicKey, amount: 1000n }];
    const deposit = unsigned({
      tag: Tag.ChannelDepositTx,
      version: 1,
      channelId: opened.channelId,
      fromId: i.publicKey,
      amount: 1000n,
      ttl: 0n,
      fee: 1n,
      stateHash: encode(after(updates).stateHash(), 'st'),
      round: 2n,
      nonce: 1n,
    });
    conn.notify('channels.sign.deposit_tx', { signed_tx: deposit, updates: updates as never });
    const answer = await conn.nextMethod('channels.deposit_tx');
    expect(answer.params).toEqual({ error: AbortCode.WRONG_AMOUNT });
    conn.reply(answer, 'ok');
    conn.notify('channels.info', { event: 'aborted_update' });
    expect(await pending).toMatchObject({ code: AbortCode.WRONG_AMOUNT });
  });
});
