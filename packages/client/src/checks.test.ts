/** The checks against the node's own recorded sign requests: what the node really sent passes; any change fails. */
import { buildTx, encode, generateKeyPair, initialState, OffChainState, signTx, Tag, unpackTx, type Encoded } from '@ch/codec';
import { parseMessage, type SignRequest } from '@ch/rpc';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { checkSignRequest, closeMutualAmounts, sameTransaction, signedBy, unwrap, type ChannelTerms, type ChannelView } from './checks.js';
import { AbortCode } from './errors.js';
import { SEED_TERMS } from './test-support/terms.js';
import { transcriptPath } from '../../../tools/fixtures.mjs';

type Step = { actor: string; dir: string; query?: Record<string, string>; message?: { method?: string } };
const load = (path: string): Step[] => (JSON.parse(readFileSync(transcriptPath(path), 'utf8')) as { steps: Step[] }).steps;
/** The sign requests `actor` received, typed as the client receives them (amounts as bigint). */
function signRequests(steps: Step[], actor: string, method: string): { channel_id: Encoded<'ch'>; data: SignRequest }[] {
  return steps
    .filter((s) => s.actor === actor && s.dir === 'recv' && s.message?.method === method)
    .map((s) => {
      const parsed = parseMessage(JSON.stringify(s.message), 'fromNode');
      if (!parsed.ok || !('method' in parsed.message)) throw new Error('not a notification');
      return parsed.message.params as { channel_id: Encoded<'ch'>; data: SignRequest };
    });
}

function termsOf(steps: Step[]): ChannelTerms {
  const q = steps.find((s) => s.query)!.query!;
  return {
    initiatorId: q.initiator_id as Encoded<'ak'>,
    responderId: q.responder_id as Encoded<'ak'>,
    initiatorAmount: BigInt(q.initiator_amount!),
    responderAmount: BigInt(q.responder_amount!),
    pushAmount: BigInt(q.push_amount!),
    channelReserve: BigInt(q.channel_reserve!),
    lockPeriod: BigInt(q.lock_period!),
  };
}

function state(terms: ChannelTerms, initiator: bigint, responder: bigint): OffChainState {
  const base = initialState({ initiator: terms.initiatorId, responder: terms.responderId, initiatorAmount: initiator, responderAmount: responder });
  return new OffChainState(base.balances);
}

/** The same tx with one field changed, unsigned. */
function tamper(tx: Encoded<'tx'>, change: Record<string, unknown>): Encoded<'tx'> {
  return buildTx({ ...unwrap(tx).inner, ...change } as never);
}

describe('closeMutualAmounts (aesc_fsm pay_close_mutual_fee)', () => {
  test.each([
    [16920000000000n, 69999999999999n, 40000000000001n, [61539999999999n, 31540000000001n]],
    [5n, 10n, 10n, [7n, 8n]],
    [5n, 2n, 10n, [0n, 7n]],
    [5n, 1n, 3n, undefined],
  ])('fee %s on %s / %s', (fee, i, r, expected) => {
    expect(closeMutualAmounts(fee, i, r)).toEqual(expected);
  });
});

describe('what the node recorded passes', () => {
  const open = load('json-rpc/sc_ws_basic_open_close.json');
  const terms = termsOf(open);
  const base: Omit<ChannelView, 'role'> = { networkId: 'local_iris_testnet', terms, channelId: undefined, latest: undefined };

  test('the create tx, for both roles; changed amounts or hash fail', () => {
    const [create] = signRequests(open, 'initiator', 'channels.sign.initiator_sign');
    const [cosign] = signRequests(open, 'responder', 'channels.sign.responder_sign');
    const i = checkSignRequest('channels.sign.initiator_sign', { ...base, role: 'initiator' }, create!.data.signed_tx, [], { kind: 'none' });
    expect(i.ok && i.value.next?.round).toBe(1n);
    const r = checkSignRequest('channels.sign.responder_sign', { ...base, role: 'responder' }, cosign!.data.signed_tx, [], { kind: 'none' });
    expect(r.ok && r.value.channelId).toBe(cosign!.channel_id);
    // The responder's copy must carry the initiator's signature.
    const unsigned = checkSignRequest('channels.sign.responder_sign', { ...base, role: 'responder' }, create!.data.signed_tx, [], { kind: 'none' });
    expect(unsigned).toMatchObject({ ok: false, code: AbortCode.MISSING_SIGNATURE });
    const more = tamper(create!.data.signed_tx, { initiatorAmount: terms.initiatorAmount + 1n });
    expect(checkSignRequest('channels.sign.initiator_sign', { ...base, role: 'initiator' }, more, [], { kind: 'none' })).toMatchObject({ ok: false, code: AbortCode.WRONG_AMOUNT });
    const push = checkSignRequest('channels.sign.initiator_sign', { ...base, role: 'initiator', terms: { ...terms, pushAmount: 2n } }, create!.data.signed_tx, [], { kind: 'none' });
    expect(push).toMatchObject({ ok: false, code: AbortCode.WRONG_STATE_HASH });
  });

  test("the seed's round-6 proposals, on the round-5 state", () => {
    const seed = load('seed/000_16b59c4208d5b87d.json');
    for (const actor of ['initiator', 'responder'] as const) {
      for (const request of signRequests(seed, actor, 'channels.sign.update')) {
        const tx = request.data.signed_tx;
        const inner = unpackTx(tx, Tag.SignedTx).encodedTx;
        const seedTerms = { ...SEED_TERMS, initiatorId: 'ak_p5mwxAHVY4fqWNqYDvGLfTAWGGra3B4zuNQayyHZZwS9bKrRx' as const, responderId: 'ak_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn' as const };
        const view: ChannelView = {
          role: actor,
          networkId: 'local_lima_testnet',
          terms: seedTerms,
          channelId: request.channel_id,
          latest: { round: 5n, tx, state: state(seedTerms, 69999999999999n, 40000000000001n) },
        };
        const updates = request.data.updates;
        const result = checkSignRequest('channels.sign.update', view, tx, updates, { kind: 'none' });
        expect(result.ok && 'round' in inner && result.value.next?.round).toBe(6n);
        expect(checkSignRequest('channels.sign.update', { ...view, latest: { ...view.latest!, round: 4n } }, tx, updates, { kind: 'none' })).toMatchObject({ code: AbortCode.WRONG_ROUND });
      }
    }
  });

  test('a mutual close: the fee split as the node splits it; other amounts fail', () => {
    const close = load('json-rpc/sc_ws_close_mutual.json');
    const terms = termsOf(close);
    const [request] = signRequests(close, 'initiator', 'channels.sign.shutdown_sign');
    const view: ChannelView = {
      role: 'initiator',
      networkId: 'local_iris_testnet',
      terms,
      channelId: request!.channel_id,
      latest: { round: 3n, tx: request!.data.signed_tx, state: state(terms, 246913579753085n, 246913579753087n) },
    };
    const tx = request!.data.signed_tx;
    expect(checkSignRequest('channels.sign.shutdown_sign', view, tx, [], { kind: 'none' }).ok).toBe(true);
    const inner = unwrap(tx).inner as { initiatorAmountFinal: bigint };
    const greedy = tamper(tx, { initiatorAmountFinal: inner.initiatorAmountFinal + 1n });
    expect(checkSignRequest('channels.sign.shutdown_sign', view, greedy, [], { kind: 'none' })).toMatchObject({ ok: false, code: AbortCode.WRONG_AMOUNT });
    expect(checkSignRequest('channels.sign.update', view, tx, [], { kind: 'none' })).toMatchObject({ ok: false, code: AbortCode.WRONG_TX_KIND });
  });
});

describe('signedBy with a verified version of the tx', () => {
  const [a, b, c] = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
  const tx = buildTx({ tag: Tag.ChannelOffChainTx, version: 2, channelId: 'ch_Bx4x8rvNpeHe2LtnDNqyqCvguqX5jEeotUDk5cRXH3mEXzy77', round: 6n, stateHash: encode(new Uint8Array(32), 'st') });
  const byA = signTx(tx, a.secretKey, 'net');
  const byAB = signTx(byA, b.secretKey, 'net');

  test('only the signatures the known version lacks are verified, and they must verify', () => {
    expect(signedBy(byAB, 'net', [a.publicKey, b.publicKey], { tx: byA, signers: [a.publicKey] })).toBe(true);
    expect(signedBy(byAB, 'net', [a.publicKey, b.publicKey], { tx: byAB, signers: [a.publicKey, b.publicKey] })).toBe(true);
    const byAC = signTx(byA, c.secretKey, 'net');
    expect(signedBy(byAC, 'net', [a.publicKey, b.publicKey], { tx: byA, signers: [a.publicKey] })).toBe(false);
    expect(signedBy(signTx(byA, b.secretKey, 'other net'), 'net', [a.publicKey, b.publicKey], { tx: byA, signers: [a.publicKey] })).toBe(false);
  });

  test('a known version of another tx, or one whose signatures were dropped, earns no trust', () => {
    const other = signTx(tamper(tx, { round: 7n }), a.secretKey, 'net');
    expect(signedBy(signTx(signTx(tx, b.secretKey, 'net'), c.secretKey, 'net'), 'net', [a.publicKey, b.publicKey], { tx: other, signers: [a.publicKey] })).toBe(false);
    expect(signedBy(signTx(tx, b.secretKey, 'net'), 'net', [a.publicKey, b.publicKey], { tx: byA, signers: [a.publicKey] })).toBe(false);
    expect(sameTransaction(byAB, tx)).toBe(true);
    expect(sameTransaction(other, tx)).toBe(false);
  });

  test('a tx read before is decoded once, but its signatures are checked on every call', () => {
    expect(signedBy(byAB, 'net', [a.publicKey, b.publicKey])).toBe(true);
    expect(signedBy(byAB, 'other net', [a.publicKey, b.publicKey])).toBe(false);
    expect(signedBy(byAB, 'net', [a.publicKey, c.publicKey])).toBe(false);
    expect(signedBy(byAB, 'net', [a.publicKey, b.publicKey])).toBe(true);
  });
});
