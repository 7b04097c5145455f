import { describe, expect, it } from 'vitest';
import { toHex } from '../bytes.js';
import { decode, encode, type Encoded } from '../encoding.js';
import { CodecErrorCode } from '../errors.js';
import { apiStrings, channelTx, loadTranscripts, loadVectors, parseJsonLossless, stateHashesIn, type Json, type Transcript, type VectorNode } from './fixtures.test-helper.js';
import { applyUpdates, initialState, OffChainState, UpdateRejectedError, type OffChainUpdate } from './offchain-state.js';

// The seed's participants (protocol-facts §1.4).
const SEED_I: Encoded<'ak'> = 'ak_p5mwxAHVY4fqWNqYDvGLfTAWGGra3B4zuNQayyHZZwS9bKrRx';
const SEED_R: Encoded<'ak'> = 'ak_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn';

const st = (state: OffChainState): string => encode(state.stateHash(), 'st');
const hex = (account: string): string => toHex(decode(account, 'ak'));
const txInfo = (tx: string) => channelTx(loadVectors().get(tx)!.decoded);

/** JSON-RPC updates as the transcripts carry them; amounts may be numbers or (lossless) strings. */
function toUpdates(json: Json[]): OffChainUpdate[] {
  return json.map((u) => (u.amount === undefined ? u : { ...u, amount: BigInt(u.amount) }));
}

/** The opening parameters of the channel a create tx opens, from the initiator's ws_open query. */
function openQuery(transcript: Transcript, create: VectorNode): Record<string, string> {
  const opens = transcript.steps.filter((s) => s.event === 'ws_open' && s.actor === 'initiator' && s.query?.initiator_id === create.fields.initiator_id);
  expect(opens.length).toBeGreaterThan(0);
  return opens[0]!.query!;
}

function createdState(transcript: Transcript, create: VectorNode): OffChainState {
  return initialState({
    initiator: create.fields.initiator_id,
    responder: create.fields.responder_id,
    initiatorAmount: BigInt(create.fields.initiator_amount),
    responderAmount: BigInt(create.fields.responder_amount),
    pushAmount: BigInt(openQuery(transcript, create).push_amount ?? 0),
  });
}

describe('lossless transcript parsing', () => {
  it('keeps integers beyond 2^53 exact and leaves strings alone', () => {
    const parsed = parseJsonLossless('{"id": -576460752303423253, "a": 9007199254740993, "b": 12, "s": "x 9007199254740993 \\" 1e99", "f": 1.5e3}') as Json;
    expect(parsed).toEqual({ id: '-576460752303423253', a: '9007199254740993', b: 12, s: 'x 9007199254740993 " 1e99', f: 1500 });
    expect(BigInt(parsed.a)).toBe(2n ** 53n + 1n);
  });

  it('reads the transcripts\' request ids exactly', () => {
    const deposit = loadTranscripts().find((t) => t.name === 'json-rpc/continuous/sc_ws_deposit.json')!;
    expect(deposit.steps[12]!.message.id).toBe('-576460752303422841');
  });
});

describe('initial state', () => {
  it('every create tx in the transcripts (both versions, GA-wrapped too) carries the hash of its initial state', () => {
    const checked = new Set<string>();
    let pairs = 0;
    for (const transcript of loadTranscripts()) {
      for (const tx of apiStrings(transcript, 'tx')) {
        const { tx: create } = txInfo(tx);
        if (create.tag !== 50) continue;
        expect(st(createdState(transcript, create)), `${transcript.name}: ${tx}`).toBe(create.fields.state_hash);
        checked.add(tx);
        pairs++;
      }
    }
    const allCreates = [...loadVectors().values()].filter((v) => txInfo(v.tx).tx.tag === 50);
    expect(allCreates).toHaveLength(207);
    expect(checked.size).toBe(207);
    expect(pairs).toBe(207);
  });

  it('moves push_amount from the initiator to the responder', () => {
    const state = initialState({ initiator: SEED_I, responder: SEED_R, initiatorAmount: 70000000000000n, responderAmount: 40000000000000n, pushAmount: 1n });
    expect(state.balanceOf(SEED_I)).toBe(69999999999999n);
    expect(state.balanceOf(SEED_R)).toBe(40000000000001n);
    expect(toHex(state.stateHash())).toBe('4961a43198b9e6530a4b1113b75cb8f78aab010fb1e513c259e1e757c2ab002b');
  });

  it('rejects impossible opening parameters', () => {
    const base = { initiator: SEED_I, responder: SEED_R, initiatorAmount: 10n, responderAmount: 10n };
    for (const params of [{ ...base, pushAmount: 11n }, { ...base, pushAmount: -1n }, { ...base, responder: SEED_I }]) {
      expect(() => initialState(params)).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_FIELD }));
    }
  });
});

describe('the seed: four conflicting round-6 proposals on 69999999999999 / 40000000000001', () => {
  const seed = loadTranscripts().find((t) => t.name.startsWith('seed/'))!;
  const round5 = new OffChainState([
    [hex(SEED_I), 69999999999999n],
    [hex(SEED_R), 40000000000001n],
  ]);
  // The seed has no ws_open; every example log opens with channel_reserve 2.
  const reserve = 2n;

  it('reproduces each proposal state hash of the seed, byte for byte', () => {
    const requests = seed.steps.filter((s) => s.message?.method === 'channels.sign.update');
    const produced = requests.map((step) => {
      const { signed_tx, updates } = step.message.params.data;
      const { tx } = txInfo(signed_tx);
      expect(tx.fields.round).toBe(6);
      const next = applyUpdates(round5, toUpdates(updates), reserve);
      expect(st(next)).toBe(tx.fields.state_hash);
      return toHex(next.stateHash());
    });
    expect(requests).toHaveLength(5); // the fifth, aborted with 147, repeats the first proposal
    expect([...new Set(produced)].map((h) => h.slice(0, 8))).toEqual(['8f3ac502', '50b26fa5', 'c032893c', '8a9b5db6']);
    expect(produced[0]).toBe('8f3ac50206c6d75ebc4a56bb17cde6aa26123381174850123df0afa71cfed197');
  });

  it('matches the state hash in all 9 tx occurrences', () => {
    const occurrences = [...seed.text.matchAll(/"(tx_[A-Za-z0-9+/=]+)"/g)].map((m) => txInfo(m[1]!).tx.fields.state_hash as string);
    expect(occurrences).toHaveLength(9);
    const hashes = new Set(['8f3ac502', '50b26fa5', 'c032893c', '8a9b5db6']);
    for (const hash of occurrences) expect(hashes.has(toHex(decode(hash, 'st')).slice(0, 8))).toBe(true);
  });
});

/**
 * Replays every signing request of a test group (its init_per_group opens the channel that the
 * other files continue): the base of a round-r proposal is the co-signed state of round r−1.
 */
function replayGroup(dir: string) {
  const files = loadTranscripts().filter((t) => t.name.startsWith(`json-rpc/${dir}/`));
  const states = new Map<string, OffChainState>();
  const coSigned = new Map<string, string>();
  const fromBalances = new Map<string, OffChainState>();
  const requests: { channel: string; round: number; updates: Json[]; expected: string; where: string }[] = [];
  let reserve: bigint | undefined;

  for (const transcript of files) {
    for (const tx of apiStrings(transcript, 'tx')) {
      const { tx: create } = txInfo(tx);
      if (create.tag === 50) states.set(create.fields.state_hash, createdState(transcript, create));
    }
    for (const step of transcript.steps) {
      if (step.event === 'ws_open' && step.query?.channel_reserve) reserve = BigInt(step.query.channel_reserve);
      const message = step.message;
      const data = message?.params?.data;
      const signedTx = data?.signed_tx ?? data?.state ?? data?.tx;
      if (typeof signedTx === 'string' && signedTx.startsWith('tx_')) {
        const { tx, signatures } = txInfo(signedTx);
        const round = tx.tag === 50 ? 1 : Number(tx.fields.round);
        if (signatures === 2) coSigned.set(`${message.params.channel_id}:${round}`, tx.fields.state_hash);
        if (String(message.method).startsWith('channels.sign.') && data.updates && tx.tag !== 50) {
          requests.push({ channel: message.params.channel_id, round, updates: data.updates, expected: tx.fields.state_hash, where: `${transcript.name}#${step.index}` });
        }
      }
      // A channel opened outside these files: its get.balances reply gives the last agreed state.
      if (Array.isArray(message?.result) && message.result[0]?.balance !== undefined && message.channel_id) {
        fromBalances.set(message.channel_id, new OffChainState(message.result.map((b: Json) => [hex(b.account), BigInt(b.balance)])));
      }
    }
  }

  let fallbacks = 0;
  for (const request of requests.sort((a, b) => a.round - b.round)) {
    const baseHash = coSigned.get(`${request.channel}:${request.round - 1}`);
    const base = baseHash === undefined ? fromBalances.get(request.channel) : states.get(baseHash);
    if (baseHash === undefined) fallbacks++;
    expect(base, request.where).toBeDefined();
    const next = applyUpdates(base!, toUpdates(request.updates), reserve!);
    expect(st(next), request.where).toBe(request.expected);
    states.set(request.expected, next);
  }
  const txHashes = new Set(files.flatMap((t) => apiStrings(t, 'tx')).flatMap((tx) => [...stateHashesIn(loadVectors().get(tx)!.decoded)]));
  return { requests: requests.length, fallbacks, txHashes, states };
}

describe('balance replay reproduces every state hash', () => {
  it('continuous/: deposits, withdrawals and the round-6 conflict', () => {
    const { requests, fallbacks, txHashes, states } = replayGroup('continuous');
    expect(requests).toBe(14);
    expect(fallbacks).toBe(5); // sc_ws_update_conflict's channel opens outside the group's files
    expect(txHashes.size).toBe(9);
    for (const hash of txHashes) expect(states.has(hash), hash).toBe(true);
  });

  it('both_sign/: conflicting transfers, deposits and withdrawals', () => {
    const { requests, fallbacks, txHashes, states } = replayGroup('both_sign');
    expect(requests).toBe(36);
    expect(fallbacks).toBe(0);
    expect(txHashes.size).toBe(11);
    for (const hash of txHashes) expect(states.has(hash), hash).toBe(true);
  });
});

describe('applyUpdates', () => {
  const state = new OffChainState([
    [hex(SEED_I), 100n],
    [hex(SEED_R), 50n],
  ]);
  const transfer = (amount: bigint, from = SEED_I, to = SEED_R): OffChainUpdate => ({ op: 'OffChainTransfer', from, to, amount });

  it('applies transfers, deposits, withdrawals and meta in order without touching the input', () => {
    const next = applyUpdates(
      state,
      [transfer(30n), { op: 'OffChainDeposit', from: SEED_R, amount: 5n }, { op: 'OffChainWithdrawal', to: SEED_I, amount: 60n }, { op: 'OffChainMeta', data: 'hi' }],
      2n,
    );
    expect([next.balanceOf(SEED_I), next.balanceOf(SEED_R)]).toEqual([10n, 85n]);
    expect([state.balanceOf(SEED_I), state.balanceOf(SEED_R)]).toEqual([100n, 50n]);
    expect(applyUpdates(state, [{ op: 'OffChainMeta', data: 'x' }], 2n).stateHash()).toEqual(state.stateHash());
  });

  it('allows a balance down to exactly the channel reserve', () => {
    expect(applyUpdates(state, [transfer(98n)], 2n).balanceOf(SEED_I)).toBe(2n);
  });

  const other: Encoded<'ak'> = encode(new Uint8Array(32).fill(7), 'ak');
  it.each([
    ['insufficient_balance', [transfer(99n)]],
    ['insufficient_balance', [{ op: 'OffChainWithdrawal', to: SEED_R, amount: 49n }]],
    ['insufficient_balance', [transfer(50n), transfer(49n)]],
    ['negative_amount', [transfer(-1n)]],
    ['negative_amount', [{ op: 'OffChainDeposit', from: SEED_I, amount: -5n }]],
    ['unknown_account', [transfer(1n, other)]],
    ['unknown_account', [transfer(1n, SEED_I, other)]],
    ['unknown_account', [{ op: 'OffChainDeposit', from: other, amount: 1n }]],
    ['unsupported_update', [{ op: 'OffChainNewContract', owner: SEED_I, code: 'cb_', deposit: 10 }]],
    ['unsupported_update', [{ op: 'OffChainCallContract', contract: 'ct_', amount: 0 }]],
  ] as [string, OffChainUpdate[]][])('rejects with %s (case %#)', (reason, updates) => {
    const attempt = () => applyUpdates(state, updates, 2n);
    expect(attempt).toThrow(UpdateRejectedError);
    expect(attempt).toThrow(expect.objectContaining({ code: CodecErrorCode.UPDATE_REJECTED, reason, path: `updates.${updates.length - 1}` }));
  });

  it('rejects malformed balances', () => {
    expect(() => new OffChainState([['ABC', 1n]])).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_KEY }));
    expect(() => new OffChainState([[hex(SEED_I), -1n]])).toThrow(expect.objectContaining({ code: CodecErrorCode.BAD_FIELD }));
  });
});
