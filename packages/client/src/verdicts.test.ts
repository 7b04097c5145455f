/**
 * Client and node judge a channel tx by one rule book. Honest txs of every kind, mutated at random
 * 10,000 times (fields, accounts, amounts, round, state hash, fee, channel id, payloads, the listed
 * updates, signatures), go to the client's `checkSignRequest` and to the node's `judgeChannelTx`
 * (what its FSM applies to a peer's proposal): they must agree. The client refuses more by policy
 * alone (a fee above 5× the minimum, a tx posted by another than its proposer, delegates); those
 * cases are counted apart, and the node's effect must show the reason.
 */
import {
  applyUpdates,
  buildTx,
  channelIdFromCreateTx,
  closeMutualPayout,
  effectMinimumFee,
  encode,
  initialState,
  keyPairFromSecret,
  minimumFee,
  poiFromState,
  signTx,
  Tag,
  unpackTx,
  type ChannelContext,
  type EffectKind,
  type Encoded,
  type KeyPair,
  type OffChainState,
  type OffChainUpdate as StateUpdate,
  type PricedTx,
  type SignedTx,
  type UnsignedTx,
} from '@ch/codec';
import { judgeChannelTx, type NodeVerdict } from '@ch/node';
import type { SignRequestMethod } from '@ch/rpc';
import { describe, expect, test } from 'vitest';
import { checkSignRequest, type ChannelTerms, type ChannelView, type CheckResult, type CoSignedState } from './checks.js';
import { AbortCode } from './errors.js';

/** The updates a client can check without a VM. */
type OffChainUpdate = Exclude<StateUpdate, { op: 'OffChainNewContract' | 'OffChainCallContract' }>;

const NET = 'agreement_testnet';
const key = (n: number): KeyPair => keyPairFromSecret(new Uint8Array(32).fill(n));
const [i, r, stranger] = [key(1), key(2), key(3)];
const TERMS: ChannelTerms = {
  initiatorId: i.publicKey,
  responderId: r.publicKey,
  initiatorAmount: 70_000_000_000_000n,
  responderAmount: 40_000_000_000_000n,
  pushAmount: 1_000_000_000_000n,
  channelReserve: 1_000_000_000_000n,
  lockPeriod: 10n,
};

const wrap = (tx: UnsignedTx): Encoded<'tx'> => buildTx({ tag: Tag.SignedTx, version: 1, signatures: [], encodedTx: tx });
const sign = (tx: Encoded<'tx'>, keys: readonly KeyPair[], net = NET): Encoded<'tx'> => keys.reduce((t, k) => signTx(t, k.secretKey, net), tx);
const withMinimumFee = <T extends PricedTx>(tx: T): T => ({ ...tx, fee: minimumFee(tx) });
const hashOf = (state: OffChainState): Encoded<'st'> => encode(state.stateHash(), 'st');
const transfer = (from: KeyPair, to: KeyPair, amount: bigint): OffChainUpdate => ({ op: 'OffChainTransfer', from: from.publicKey, to: to.publicKey, amount });

const initial = initialState({ initiator: i.publicKey, responder: r.publicKey, initiatorAmount: TERMS.initiatorAmount, responderAmount: TERMS.responderAmount, pushAmount: TERMS.pushAmount });
const create = withMinimumFee({
  tag: Tag.ChannelCreateTx,
  version: 2,
  initiatorId: i.publicKey,
  initiatorAmount: TERMS.initiatorAmount,
  responderId: r.publicKey,
  responderAmount: TERMS.responderAmount,
  channelReserve: TERMS.channelReserve,
  lockPeriod: TERMS.lockPeriod,
  ttl: 0n,
  fee: 0n,
  initiatorDelegateIds: [],
  responderDelegateIds: [],
  stateHash: hashOf(initial),
  nonce: 1n,
} as const);
const channelId = channelIdFromCreateTx(create);
const offChainAt = (round: bigint, state: OffChainState): Encoded<'tx'> => sign(wrap({ tag: Tag.ChannelOffChainTx, version: 2, channelId, round, stateHash: hashOf(state) }), [i, r]);
const state4 = applyUpdates(initial, [transfer(i, r, 2_000_000_000_000n)], TERMS.channelReserve);
const state5 = applyUpdates(state4, [transfer(r, i, 500_000_000_000n)], TERMS.channelReserve);
const round4 = offChainAt(4n, state4);

/** Two last co-signed states to judge against: the create tx (its state set on chain), and an off-chain round. */
const LASTS: readonly CoSignedState[] = [
  { round: 1n, tx: sign(wrap(create), [i, r]), state: initial },
  { round: 5n, tx: offChainAt(5n, state5), state: state5 },
];

/** A sign request as the client (the responder) gets it, and what the node's FSM expects of the same tx. */
interface Case {
  readonly kind: EffectKind;
  readonly method: SignRequestMethod;
  readonly last: CoSignedState | undefined;
  readonly tx: UnsignedTx;
  readonly updates: readonly OffChainUpdate[];
  /** Who proposes it: the initiator for the peer's proposals, this client (the responder) for its own solo txs. */
  readonly proposer: KeyPair;
  /** Whether the proposer's signature comes with it (the peer's proposals). */
  readonly signed: boolean;
}

const payloadOf = (last: CoSignedState): SignedTx | null => {
  const outer = unpackTx(last.tx, Tag.SignedTx);
  return outer.encodedTx.tag === Tag.ChannelOffChainTx ? outer : null;
};
const balances = (state: OffChainState): [bigint, bigint] => [state.balanceOf(i.publicKey)!, state.balanceOf(r.publicKey)!];

/** One honest tx of each kind on `last`. */
function honest(last: CoSignedState): Case[] {
  const round = last.round + 1n;
  const common = { channelId, ttl: 0n, fee: 0n, nonce: 7n };
  const peer = (kind: EffectKind, method: SignRequestMethod, tx: UnsignedTx, updates: readonly OffChainUpdate[] = []): Case => ({ kind, method, last, tx, updates, proposer: i, signed: true });
  const own = (kind: EffectKind, method: SignRequestMethod, tx: UnsignedTx): Case => ({ kind, method, last, tx, updates: [], proposer: r, signed: false });
  const after = (updates: readonly OffChainUpdate[]) => hashOf(applyUpdates(last.state, updates, TERMS.channelReserve));
  const moves = [transfer(i, r, 1_000_000_000_000n), { op: 'OffChainMeta', data: 'hello' } as const];
  const deposit: OffChainUpdate[] = [{ op: 'OffChainDeposit', from: i.publicKey, amount: 5_000_000_000_000n }];
  const withdraw: OffChainUpdate[] = [{ op: 'OffChainWithdrawal', to: i.publicKey, amount: 3_000_000_000_000n }];
  const [bi, br] = balances(last.state);
  const closeFee = minimumFee({ tag: Tag.ChannelCloseMutualTx, version: 1, ...common, fromId: i.publicKey, initiatorAmountFinal: bi, responderAmountFinal: br });
  const [pi, pr] = closeMutualPayout(closeFee, bi, br)!;
  const payload = payloadOf(last);
  const poi = poiFromState(last.state);
  const cases = [
    peer('offchain', 'channels.sign.update_ack', { tag: Tag.ChannelOffChainTx, version: 2, channelId, round, stateHash: after(moves) }, moves),
    peer('deposit', 'channels.sign.deposit_ack', withMinimumFee({ tag: Tag.ChannelDepositTx, version: 1, ...common, fromId: i.publicKey, amount: 5_000_000_000_000n, round, stateHash: after(deposit) }), deposit),
    peer('withdraw', 'channels.sign.withdraw_ack', withMinimumFee({ tag: Tag.ChannelWithdrawTx, version: 1, ...common, toId: i.publicKey, amount: 3_000_000_000_000n, round, stateHash: after(withdraw) }), withdraw),
    peer('close_mutual', 'channels.sign.shutdown_sign_ack', { tag: Tag.ChannelCloseMutualTx, version: 1, ...common, fee: closeFee, fromId: i.publicKey, initiatorAmountFinal: pi, responderAmountFinal: pr }),
    own('close_solo', 'channels.sign.close_solo_sign', withMinimumFee({ tag: Tag.ChannelCloseSoloTx, version: 1, ...common, fromId: r.publicKey, payload, poi })),
    own('slash', 'channels.sign.slash_tx', withMinimumFee({ tag: Tag.ChannelSlashTx, version: 1, ...common, fromId: r.publicKey, payload, poi })),
    own('settle', 'channels.sign.settle_sign', withMinimumFee({ tag: Tag.ChannelSettleTx, version: 1, ...common, fromId: r.publicKey, initiatorAmountFinal: bi, responderAmountFinal: br })),
  ];
  if (payload !== null) cases.push(own('snapshot_solo', 'channels.sign.snapshot_solo_tx', withMinimumFee({ tag: Tag.ChannelSnapshotSoloTx, version: 1, ...common, fromId: r.publicKey, payload })));
  return cases;
}

const HONEST: readonly Case[] = [
  { kind: 'create', method: 'channels.sign.responder_sign', last: undefined, tx: create, updates: [], proposer: i, signed: true },
  ...LASTS.flatMap(honest),
];

/** The client is the responder; its view of the channel before `c`. */
const viewOf = (c: Case): ChannelView => ({ role: 'responder', networkId: NET, terms: TERMS, channelId: c.last && channelId, latest: c.last });

/** The node's context, from its own copy of the channel's terms. */
const nodeContextOf = (c: Case): ChannelContext => ({
  networkId: NET,
  channelId: c.last && channelId,
  initiatorId: i.publicKey,
  responderId: r.publicKey,
  channelReserve: TERMS.channelReserve,
  opening: { initiatorAmount: TERMS.initiatorAmount, responderAmount: TERMS.responderAmount, pushAmount: TERMS.pushAmount, lockPeriod: TERMS.lockPeriod },
  last: c.last,
});

/** A deterministic PRNG (mulberry32), so a failure replays. */
function rng(seed: number): { int(n: number): number; pick<T>(list: readonly T[]): T; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n) => Math.floor(next() * n), pick: (list) => list[Math.floor(next() * list.length)]!, chance: (p) => next() < p };
}
type Rng = ReturnType<typeof rng>;

const ACCOUNTS = [i.publicKey, r.publicKey, stranger.publicKey];
const OTHER_STATES = [initial, state4, state5, applyUpdates(state5, [transfer(i, r, 1n)], TERMS.channelReserve)];

/** Another value for a field: near misses of numbers, the other accounts, other channels, hashes, proofs and payloads. */
function otherValue(g: Rng, field: string, value: unknown): unknown {
  if (typeof value === 'bigint') {
    const choices = [value + 1n, value > 0n ? value - 1n : 2n, 0n, value * 2n, value + 1_000_000_000_000n, BigInt(g.int(1_000_000)) * 1_000_000_000n];
    if (field === 'fee') choices.push(value * BigInt(2 + g.int(10)), 10n ** 21n);
    return g.pick(choices);
  }
  if (Array.isArray(value)) return g.pick([[stranger.publicKey], [i.publicKey], [r.publicKey, stranger.publicKey]]);
  if (value === null || typeof value === 'object') return g.pick([null, unpackTx(round4, Tag.SignedTx), unpackTx(LASTS[0]!.tx, Tag.SignedTx), unpackTx(LASTS[1]!.tx, Tag.SignedTx)]);
  const text = value as string;
  if (text.startsWith('ak_')) return g.pick(ACCOUNTS.filter((a) => a !== text));
  if (text.startsWith('ch_')) return encode(new Uint8Array(32).fill(1 + g.int(200)), 'ch');
  if (text.startsWith('st_')) return g.chance(0.3) ? encode(new Uint8Array(32).fill(g.int(256)), 'st') : hashOf(g.pick(OTHER_STATES));
  if (text.startsWith('pi_')) return poiFromState(g.pick(OTHER_STATES));
  return value;
}

/** The listed updates changed: one dropped, added, or its account or amount changed. */
function otherUpdates(g: Rng, updates: readonly OffChainUpdate[]): OffChainUpdate[] {
  const list = [...updates];
  const at = g.int(Math.max(list.length, 1));
  const u = list[at];
  switch (g.int(7)) {
    case 0:
      list.splice(at, 1);
      break;
    case 1:
      list.push(g.pick<OffChainUpdate>([{ op: 'OffChainMeta', data: 'more' }, transfer(i, r, 1n), transfer(r, i, 1n), transfer(stranger, r, 1n)]));
      break;
    case 2:
      list.splice(at, 0, g.pick<OffChainUpdate>([{ op: 'OffChainDeposit', from: g.pick(ACCOUNTS), amount: 1_000_000n }, { op: 'OffChainWithdrawal', to: g.pick(ACCOUNTS), amount: 1_000_000n }]));
      break;
    case 3:
      if (u && 'amount' in u) list[at] = { ...u, amount: g.pick([u.amount + 1n, u.amount * 100n, 0n, 10n ** 18n]) };
      break;
    case 4:
      if (u?.op === 'OffChainTransfer') list[at] = { ...u, from: u.to, to: u.from };
      else if (u?.op === 'OffChainDeposit') list[at] = { ...u, from: g.pick(ACCOUNTS.filter((a) => a !== u.from)) };
      else if (u?.op === 'OffChainWithdrawal') list[at] = { ...u, to: g.pick(ACCOUNTS.filter((a) => a !== u.to)) };
      break;
    case 5:
      return [];
    default:
      list.reverse();
  }
  return list;
}

interface Mutant {
  readonly tx: Encoded<'tx'>;
  readonly updates: readonly OffChainUpdate[];
}

/** One to three mutations of an honest case; the peer's proposals signed again by the peer unless the signature is what changes. */
function mutate(g: Rng, c: Case): Mutant {
  let tx: Record<string, unknown> = { ...c.tx };
  let updates = [...c.updates];
  let signers: readonly KeyPair[] = c.signed ? [c.proposer] : [];
  let net = NET;
  for (let n = 1 + g.int(3); n > 0; n--) {
    const op = g.int(10);
    if (op < 5) {
      const fields = Object.keys(tx).filter((f) => f !== 'tag' && f !== 'version');
      const field = op === 0 && 'fee' in tx ? 'fee' : op === 1 && 'round' in tx ? 'round' : g.pick(fields);
      tx = { ...tx, [field]: otherValue(g, field, tx[field]) };
    } else if (op < 8) {
      updates = otherUpdates(g, updates);
      // Half the time the hash follows the new updates, so the deeper rules are what decide.
      if ('stateHash' in tx && c.last && g.chance(0.5)) {
        try {
          tx = { ...tx, stateHash: hashOf(applyUpdates(c.last.state, updates, TERMS.channelReserve)) };
        } catch {
          // Updates that do not apply keep the old hash.
        }
      }
    } else if (op === 8) {
      signers = g.pick([[], [stranger], [r], [c.proposer, stranger]]);
    } else {
      net = g.pick(['other_testnet', 'ae_mainnet']);
    }
  }
  return { tx: sign(wrap(tx as UnsignedTx), signers, net), updates };
}

/** The client refused, the node accepted: only by the client's policy, which the node's effect must bear out. */
function policyOnly(client: Extract<CheckResult, { ok: false }>, node: Extract<NodeVerdict, { ok: true }>, c: Case): boolean {
  const { effect } = node;
  switch (client.code) {
    case AbortCode.FEE_ABOVE_POLICY:
      return effect.fee > 5n * effectMinimumFee(effect)!;
    case AbortCode.WRONG_PARTY:
      return effect.from !== c.proposer.publicKey;
    case AbortCode.FOREIGN_ACCOUNT:
      return effect.delegates.length > 0;
    default:
      return false;
  }
}

describe('client and node verdicts agree', () => {
  test('every honest tx passes both', () => {
    for (const c of HONEST) {
      const tx = sign(wrap(c.tx), c.signed ? [c.proposer] : []);
      const client = checkSignRequest(c.method, viewOf(c), tx, c.updates, { kind: 'none' });
      const node = judgeChannelTx(nodeContextOf(c), { kind: c.kind, signers: c.signed ? [c.proposer.publicKey] : [] }, tx, c.updates);
      expect([c.kind, client.ok, node.ok]).toEqual([c.kind, true, true]);
    }
    expect(new Set(HONEST.map((c) => c.kind)).size).toBe(9);
  });

  test('on 10,000 mutated txs of every kind', () => {
    const g = rng(0x5eed);
    const tally = { bothAccept: 0, bothRefuse: 0, policyOnly: 0 };
    const RUNS = 10_000;
    for (let n = 0; n < RUNS; n++) {
      const c = HONEST[n % HONEST.length]!;
      const { tx, updates } = mutate(g, c);
      const client = checkSignRequest(c.method, viewOf(c), tx, updates, { kind: 'none' });
      const node = judgeChannelTx(nodeContextOf(c), { kind: c.kind, signers: c.signed ? [c.proposer.publicKey] : [] }, tx, updates);
      const at = `run ${n}, ${c.kind}: client ${client.ok ? 'accepts' : `refuses ${client.code} (${client.reason})`}, node ${node.ok ? 'accepts' : `refuses (${node.error})`}`;
      if (client.ok === node.ok) {
        tally[client.ok ? 'bothAccept' : 'bothRefuse']++;
        continue;
      }
      expect(!client.ok && node.ok && policyOnly(client, node, c), at).toBe(true);
      tally.policyOnly++;
    }
    console.log(`${RUNS} mutated txs: both accept ${tally.bothAccept}, both refuse ${tally.bothRefuse}, refused by the client's policy alone ${tally.policyOnly}`);
    expect(tally.bothAccept + tally.bothRefuse + tally.policyOnly).toBe(RUNS);
    expect(tally.bothAccept).toBeGreaterThan(0);
  });
});

describe("the client's decision beyond the rule book", () => {
  const caseOf = (kind: EffectKind, last = LASTS[1]): Case => HONEST.find((c) => c.kind === kind && (kind === 'create' || c.last === last))!;
  const requestOf = (c: Case, change: Record<string, unknown> = {}, signers = c.signed ? [c.proposer] : []) => sign(wrap({ ...c.tx, ...change } as UnsignedTx), signers);
  const check = (c: Case, tx: Encoded<'tx'>, expected: Parameters<typeof checkSignRequest>[4], view: Partial<ChannelView> = {}, updates = c.updates) =>
    checkSignRequest(c.method, { ...viewOf(c), ...view }, tx, updates, expected);

  test('a withdrawal paying the peer on chain while its update debits us: the updates do not fit the tx', () => {
    const c = caseOf('withdraw');
    const updates: OffChainUpdate[] = [{ op: 'OffChainWithdrawal', to: r.publicKey, amount: 3_000_000_000_000n }];
    const stateHash = hashOf(applyUpdates(c.last!.state, updates, TERMS.channelReserve));
    expect(check(c, requestOf(c, { stateHash }), { kind: 'none' }, {}, updates)).toMatchObject({ ok: false, code: AbortCode.WRONG_UPDATES });
  });

  test("the peer's proposal, fees at and above 5× the minimum; a mutual close whose fee is the whole channel", () => {
    const c = caseOf('deposit');
    const fee = (c.tx as { fee: bigint }).fee;
    expect(check(c, requestOf(c, { fee: fee * 5n }), { kind: 'none' }).ok).toBe(true);
    expect(check(c, requestOf(c, { fee: fee * 5n + 1n }), { kind: 'none' })).toMatchObject({ ok: false, code: AbortCode.FEE_ABOVE_POLICY });
    const close = caseOf('close_mutual');
    const [bi, br] = balances(close.last!.state);
    const all = check(close, requestOf(close, { fee: bi + br, initiatorAmountFinal: 0n, responderAmountFinal: 0n }), { kind: 'none' });
    expect(all).toMatchObject({ ok: false, code: AbortCode.FEE_ABOVE_POLICY });
  });

  test('an unrequested slash only once the node reported can_slash; other unrequested solo txs never', () => {
    const slash = caseOf('slash');
    expect(check(slash, requestOf(slash), { kind: 'unrequested' })).toMatchObject({ ok: false, code: AbortCode.UNEXPECTED_REQUEST });
    expect(check(slash, requestOf(slash), { kind: 'unrequested' }, { canSlash: true }).ok).toBe(true);
    for (const kind of ['close_solo', 'snapshot_solo', 'settle'] as const) {
      const c = caseOf(kind);
      expect(check(c, requestOf(c), { kind: 'unrequested' }, { canSlash: true })).toMatchObject({ ok: false, code: AbortCode.UNEXPECTED_REQUEST });
      expect(check(c, requestOf(c), { kind }).ok).toBe(true);
    }
  });

  test('a create tx naming a delegate', () => {
    const c = caseOf('create');
    expect(check(c, requestOf(c, { initiatorDelegateIds: [stranger.publicKey] }), { kind: 'none' })).toMatchObject({ ok: false, code: AbortCode.FOREIGN_ACCOUNT });
  });

  test("our own on-chain request: the amount, nonce, fee, gas price and meta the caller gave", () => {
    const c = { ...caseOf('deposit'), proposer: r, signed: false, method: 'channels.sign.deposit_tx' as const };
    const updates: OffChainUpdate[] = [{ op: 'OffChainDeposit', from: r.publicKey, amount: 5_000_000_000_000n }, { op: 'OffChainMeta', data: 'note' }];
    const base = { ...c.tx, fromId: r.publicKey, stateHash: hashOf(applyUpdates(c.last!.state, updates, TERMS.channelReserve)) } as PricedTx;
    const minimum = minimumFee(base);
    const at = (change: Record<string, unknown>) => sign(wrap({ ...base, fee: minimum, ...change } as UnsignedTx), []);
    const own = (options: object, change: Record<string, unknown> = {}, amount = 5_000_000_000_000n) => check(c, at(change), { kind: 'deposit', amount, options }, {}, updates);
    expect(own({}).ok).toBe(true);
    expect(own({}, {}, 10n)).toMatchObject({ ok: false, code: AbortCode.WRONG_AMOUNT });
    expect(own({ nonce: 7n, meta: ['note'] }).ok).toBe(true);
    expect(own({ nonce: 8n })).toMatchObject({ ok: false, code: AbortCode.WRONG_OPTIONS });
    expect(own({ meta: ['other'] })).toMatchObject({ ok: false, code: AbortCode.WRONG_OPTIONS });
    // The node's fee rule: a fee alone as given; with a gas price the larger; a gas price alone the minimum at it.
    expect(own({ fee: 20_000n }, { fee: 20_000n }).ok).toBe(true);
    expect(own({ fee: 20_000n }, { fee: 10n ** 21n })).toMatchObject({ ok: false, code: AbortCode.WRONG_OPTIONS });
    expect(own({ fee: 20_000n, gasPrice: 1_000_000_000n }, { fee: minimum }).ok).toBe(true);
    expect(own({ fee: minimum * 3n, gasPrice: 1_000_000_000n }, { fee: minimum * 3n }).ok).toBe(true);
    expect(own({ gasPrice: 2_000_000_000n }, { fee: minimumFee(base, 2_000_000_000n) }).ok).toBe(true);
    expect(own({ gasPrice: 2_000_000_000n })).toMatchObject({ ok: false, code: AbortCode.WRONG_OPTIONS });
    // No fee given: bounded by the policy.
    expect(own({}, { fee: 10n ** 21n })).toMatchObject({ ok: false, code: AbortCode.FEE_ABOVE_POLICY });
  });

  test('the effect lists every account moved on and off chain', () => {
    const c = caseOf('deposit');
    const result = check(c, requestOf(c), { kind: 'none' });
    expect(result.ok && result.value.effect).toMatchObject({
      kind: 'deposit',
      from: i.publicKey,
      onChain: [{ account: i.publicKey, amount: -(5_000_000_000_000n + (c.tx as { fee: bigint }).fee) }],
      offChain: [{ account: i.publicKey, amount: 5_000_000_000_000n }],
      round: 6n,
    });
  });
});
