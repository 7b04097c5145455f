/**
 * A malicious node: every sign request in HARMFUL would take the user's coins, pay them to the
 * peer, burn them in fees or break what both parties agreed. Each must be answered with a stable
 * abort code (a `refused` event saying why), never a signature, and the channel stays at its last
 * co-signed round. The HONEST controls run the same flows as @ch/node builds them (its minimum
 * fees, the channel's parties, the last co-signed balances): each is signed, and a round it
 * completes is the channel's once the node reports it co-signed.
 *
 * Each case names the abort codes that fit its reason (two where either reason is right). We are
 * the initiator `i`; the peer is `r`.
 */
import { closeMutualPayout, encode, generateKeyPair, signTx, Tag, unpackTx, type KeyPair } from '@ch/codec';
import type { ChannelTxType, ClientMethod, SignRequestMethod } from '@ch/rpc';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import type { Channel } from './channel.js';
import { withTimeout } from './deadlines.js';
import { AbortCode, type RefusedError } from './errors.js';
import { paddedPoi, rootsOnlyPoi } from './test-support/hostile-poi.js';
import { ScriptedChannelNode, type Proposal, type Settled, type SignAnswer } from './test-support/scripted-channel.js';
import { connectScripted, offerCreate, scriptOpen, seedCreateTx, type CreateForgery, type ScriptedConnect } from './test-support/scripted-node.js';
import { NETWORK_ID, SEED_TERMS } from './test-support/terms.js';
import { until } from './test-support/until.js';

/** 10^21 aettos: some 5 × 10^7 times the minimum fee of any channel tx (about 2 × 10^13). */
const FAR_TOO_HIGH = 10n ** 21n;
const AMOUNT = 10_000_000_000_000n;
const ANOTHER_CHANNEL = encode(new Uint8Array(32).fill(9), 'ch');
/** What the seed's channel holds in all; a fee of it pays out nothing. */
const WHOLE_CHANNEL = 110_000_000_000_000n;
/** With our 70e12 against the peer's 40e12, the node's split of this fee leaves us 10e12. */
const COSTS_US_60E12 = 100_000_000_000_000n;
const MAINNET = 'ae_mainnet';

const tally = { harmful: 0, signed: 0, honest: 0 };
afterAll(() => console.log(`malicious-node: ${tally.harmful} harmful requests, ${tally.signed} signed; ${tally.honest} honest controls signed`));

let node: ScriptedChannelNode | undefined;
let opening: ScriptedConnect | undefined;
afterEach(async () => {
  await node?.close();
  await opening?.close();
  node = opening = undefined;
});

type AbortName = keyof typeof AbortCode;

/** Counts a harmful request's answer: the suite's summary says how many were signed. */
function tallyHarmful(answer: SignAnswer): void {
  tally.harmful++;
  if (answer.signed_tx !== undefined) tally.signed++;
}

/** Checks a harmful request's answer is a refusal with one of the abort codes `names` fit. */
function expectRefused(answer: SignAnswer, names: readonly AbortName[]): number {
  tallyHarmful(answer);
  expect(answer.signed_tx, 'a harmful tx was signed').toBeUndefined();
  expect(names.map((name) => AbortCode[name])).toContain(answer.error);
  return answer.error!;
}

/** The one `refused` event the request raised: its code, its method and a reason. */
function expectReason(refusals: readonly RefusedError[], method: SignRequestMethod, code: number): void {
  expect(refusals.map((e) => [e.method, e.code])).toEqual([[method, code]]);
  expect(refusals[0]!.message).toMatch(/\): \S/);
}

// ——— the client's own calls, and the channel states cases start from ———

interface Call {
  /** Started by the test; absent for a request the client makes of its own accord (an auto-slash). */
  readonly operation?: (channel: Channel) => Promise<unknown>;
  readonly request: ClientMethod;
}

const withdraw: Call = { operation: (c) => c.withdraw(AMOUNT), request: 'channels.withdraw' };
const deposit: Call = { operation: (c) => c.deposit(AMOUNT), request: 'channels.deposit' };
const shutdown: Call = { operation: (c) => c.shutdown(), request: 'channels.shutdown' };
const closeSolo: Call = { operation: (c) => c.closeSolo(), request: 'channels.close_solo' };
const snapshot: Call = { operation: (c) => c.snapshot(), request: 'channels.snapshot_solo' };
const settle: Call = { operation: (c) => c.settle(), request: 'channels.settle' };
const autoSlash: Call = { request: 'channels.slash' };

/** Makes `call`'s request and answers it `ok`; the outcome of the test's operation, if it started one. */
async function begin(n: ScriptedChannelNode, call: Call | undefined): Promise<{ settled: Promise<Settled> } | undefined> {
  if (call?.operation) return n.start(call.operation, call.request);
  if (call) await n.accept(call.request);
  return undefined;
}

/** The channel's last co-signed round and tx, to compare before and after. */
const coSigned = (channel: Channel) => [channel.round, channel.state?.tx];

type Setup = (n: ScriptedChannelNode) => Promise<void>;

/** One off-chain round after the create tx: the last state is not on chain. */
const transferred: Setup = async (n) => {
  await n.peerTransfer(1_000n);
};

/** Two off-chain rounds: round 2 is an older state than the last. */
const twoRounds: Setup = async (n) => {
  await n.peerTransfer(1_000n);
  await n.peerTransfer(2_000n);
};

/** Round 3 pays back round 2's transfer: its balances, and so its state hash, are the create's. */
const balancesRepeat: Setup = async (n) => {
  await n.peerTransfer(1_000n);
  const back = n.transfer(us(n), peer(n), 1_000n);
  const answer = await n.ask('channels.sign.update_ack', back);
  await n.coSign(answer.signed_tx!, back.state!);
  expect(n.latest.state.stateHash()).toEqual(n.states[0]!.state.stateHash());
};

/** As `balancesRepeat`, and the node reports a snapshot of round 3 on chain that the peer, not we, signed. */
const peerSnapshotReported: Setup = async (n) => {
  await balancesRepeat(n);
  n.onChain(signTx(n.solo(Tag.ChannelSnapshotSoloTx, { from: peer(n) }), n.r.secretKey, NETWORK_ID), 'channel_snapshot_solo_tx', 'channel_changed');
};

/** The peer closed solo on chain with round 2 of 3: the client slashes of its own accord. */
const slashable: Setup = async (n) => {
  await twoRounds(n);
  n.peerClosesSolo(n.states[1]!);
};

/** We closed solo on chain with our last state: the channel is closing, to be settled. */
const soloClosed: Setup = async (n) => {
  const { settled } = await n.start(closeSolo.operation!, closeSolo.request);
  const answer = await n.ask('channels.sign.close_solo_sign', { tx: n.solo(Tag.ChannelCloseSoloTx), updates: [] });
  n.onChain(answer.signed_tx!, 'channel_close_solo_tx', 'solo_closing');
  n.session.conn.notify('channels.info', { event: 'closing' });
  expect(await withTimeout(settled, 5000, 'close solo')).toEqual({ value: answer.signed_tx });
};

const us = (n: ScriptedChannelNode) => n.i.publicKey;
const peer = (n: ScriptedChannelNode) => n.r.publicKey;
const solo = (tag: typeof Tag.ChannelCloseSoloTx | typeof Tag.ChannelSlashTx | typeof Tag.ChannelSnapshotSoloTx, forge: (n: ScriptedChannelNode) => Parameters<ScriptedChannelNode['solo']>[1] = () => ({})) =>
  (n: ScriptedChannelNode): Proposal => ({ tx: n.solo(tag, forge(n)), updates: [] });
/** The node's split of the fee, then `shift` of ours moved to the peer. */
const shifted = (shift: bigint) => (fee: bigint, i: bigint, r: bigint) => {
  const [a, b] = closeMutualPayout(fee, i, r)!;
  return [a - shift, b + shift] as const;
};

// ——— harmful requests ———

interface Harm {
  readonly name: string;
  readonly setup?: Setup;
  readonly call?: Call;
  readonly request: SignRequestMethod;
  readonly forge: (n: ScriptedChannelNode) => Proposal;
  /** The network id the peer signs its proposal for. */
  readonly peerNetworkId?: string;
  /** The abort codes that fit the reason. */
  readonly codes: readonly AbortName[];
}

/** The listed updates and the tx's accounts disagree: either is the reason. */
const MISMATCHED_UPDATES: readonly AbortName[] = ['WRONG_UPDATES', 'WRONG_PARTY'];
const FEE: readonly AbortName[] = ['FEE_ABOVE_POLICY'];

const HARMFUL: readonly Harm[] = [
  // Our own withdrawal, `withdraw(10e12)`.
  { name: 'withdraw_tx pays the peer on chain, listing the peer', call: withdraw, request: 'channels.sign.withdraw_tx', forge: (n) => n.funding('withdraw', us(n), AMOUNT, { party: peer(n), listed: peer(n) }), codes: ['WRONG_PARTY'] },
  { name: 'withdraw_tx pays the peer on chain while the listed update debits us', call: withdraw, request: 'channels.sign.withdraw_tx', forge: (n) => n.funding('withdraw', us(n), AMOUNT, { party: peer(n) }), codes: MISMATCHED_UPDATES },
  { name: "withdraw_tx pays us on chain while the listed update (and state hash) debit the peer", call: withdraw, request: 'channels.sign.withdraw_tx', forge: (n) => n.funding('withdraw', us(n), AMOUNT, { listed: peer(n) }), codes: MISMATCHED_UPDATES },
  { name: 'withdraw_tx of twice the amount asked', call: withdraw, request: 'channels.sign.withdraw_tx', forge: (n) => n.funding('withdraw', us(n), 2n * AMOUNT), codes: ['WRONG_AMOUNT'] },
  { name: 'withdraw_tx with fee 10^21', call: withdraw, request: 'channels.sign.withdraw_tx', forge: (n) => n.funding('withdraw', us(n), AMOUNT, { fee: FAR_TOO_HIGH }), codes: FEE },
  { name: 'withdraw_tx for another channel', call: withdraw, request: 'channels.sign.withdraw_tx', forge: (n) => n.funding('withdraw', us(n), AMOUNT, { channelId: ANOTHER_CHANNEL }), codes: ['WRONG_CHANNEL'] },
  // The peer's withdrawal proposal.
  { name: 'withdraw_ack pays the peer on chain while the listed update debits us', request: 'channels.sign.withdraw_ack', forge: (n) => n.funding('withdraw', peer(n), AMOUNT, { listed: us(n) }), codes: MISMATCHED_UPDATES },
  { name: 'withdraw_ack with fee 10^21', request: 'channels.sign.withdraw_ack', forge: (n) => n.funding('withdraw', peer(n), AMOUNT, { fee: FAR_TOO_HIGH }), codes: FEE },
  { name: 'withdraw_ack signed by the peer for ae_mainnet', request: 'channels.sign.withdraw_ack', forge: (n) => n.funding('withdraw', peer(n), AMOUNT), peerNetworkId: MAINNET, codes: ['MISSING_SIGNATURE'] },
  { name: 'withdraw_ack at the last co-signed round (an older round)', request: 'channels.sign.withdraw_ack', forge: (n) => n.funding('withdraw', peer(n), AMOUNT, { round: n.latest.round }), codes: ['WRONG_ROUND'] },
  { name: 'withdraw_ack for another channel', request: 'channels.sign.withdraw_ack', forge: (n) => n.funding('withdraw', peer(n), AMOUNT, { channelId: ANOTHER_CHANNEL }), codes: ['WRONG_CHANNEL'] },
  // Our own deposit, `deposit(10e12)`.
  { name: 'deposit_tx takes our coins on chain while the listed update credits the peer', call: deposit, request: 'channels.sign.deposit_tx', forge: (n) => n.funding('deposit', us(n), AMOUNT, { listed: peer(n) }), codes: MISMATCHED_UPDATES },
  { name: 'deposit_tx with fee 10^21', call: deposit, request: 'channels.sign.deposit_tx', forge: (n) => n.funding('deposit', us(n), AMOUNT, { fee: FAR_TOO_HIGH }), codes: FEE },
  {
    name: 'deposit_tx with fee 10^21 after the caller asked for fee 20000',
    call: { operation: (c) => c.deposit(AMOUNT, { fee: 20_000n }), request: 'channels.deposit' },
    request: 'channels.sign.deposit_tx',
    forge: (n) => n.funding('deposit', us(n), AMOUNT, { fee: FAR_TOO_HIGH }),
    codes: ['WRONG_OPTIONS'],
  },
  { name: 'deposit_tx for another channel', call: deposit, request: 'channels.sign.deposit_tx', forge: (n) => n.funding('deposit', us(n), AMOUNT, { channelId: ANOTHER_CHANNEL }), codes: ['WRONG_CHANNEL'] },
  { name: 'deposit_tx at the last co-signed round (an older round)', call: deposit, request: 'channels.sign.deposit_tx', forge: (n) => n.funding('deposit', us(n), AMOUNT, { round: n.latest.round }), codes: ['WRONG_ROUND'] },
  { name: 'deposit_tx skipping a round', call: deposit, request: 'channels.sign.deposit_tx', forge: (n) => n.funding('deposit', us(n), AMOUNT, { round: n.latest.round + 2n }), codes: ['WRONG_ROUND'] },
  // The peer's deposit proposal.
  { name: 'deposit_ack takes our coins on chain, the listed update crediting the peer', request: 'channels.sign.deposit_ack', forge: (n) => n.funding('deposit', peer(n), AMOUNT, { party: us(n) }), codes: MISMATCHED_UPDATES },
  { name: 'deposit_ack: the peer pays on chain, the listed update is from us (mismatched from)', request: 'channels.sign.deposit_ack', forge: (n) => n.funding('deposit', peer(n), AMOUNT, { listed: us(n) }), codes: MISMATCHED_UPDATES },
  { name: 'deposit_ack with fee 10^21', request: 'channels.sign.deposit_ack', forge: (n) => n.funding('deposit', peer(n), AMOUNT, { fee: FAR_TOO_HIGH }), codes: FEE },
  // Our own mutual close, `shutdown()`.
  { name: 'shutdown_sign whose fee is the whole channel (payout 0/0)', call: shutdown, request: 'channels.sign.shutdown_sign', forge: (n) => n.closeMutual(us(n), { fee: WHOLE_CHANNEL }), codes: FEE },
  { name: 'shutdown_sign whose fee costs us 60e12 of our 70e12', call: shutdown, request: 'channels.sign.shutdown_sign', forge: (n) => n.closeMutual(us(n), { fee: COSTS_US_60E12 }), codes: FEE },
  { name: 'shutdown_sign with fee 10^21', call: shutdown, request: 'channels.sign.shutdown_sign', forge: (n) => n.closeMutual(us(n), { fee: FAR_TOO_HIGH }), codes: ['FEE_ABOVE_POLICY', 'WRONG_AMOUNT'] },
  { name: 'shutdown_sign paying 10e12 of ours to the peer (the fee split as the node does)', call: shutdown, request: 'channels.sign.shutdown_sign', forge: (n) => n.closeMutual(us(n), { payout: shifted(AMOUNT) }), codes: ['WRONG_AMOUNT'] },
  { name: 'shutdown_sign posted by a third account', call: shutdown, request: 'channels.sign.shutdown_sign', forge: (n) => n.closeMutual(n.third.publicKey), codes: ['WRONG_PARTY'] },
  { name: 'shutdown_sign for another channel', call: shutdown, request: 'channels.sign.shutdown_sign', forge: (n) => n.closeMutual(us(n), { channelId: ANOTHER_CHANNEL }), codes: ['WRONG_CHANNEL'] },
  // The peer's mutual close, unasked.
  { name: 'shutdown_sign_ack whose fee is the whole channel (payout 0/0)', request: 'channels.sign.shutdown_sign_ack', forge: (n) => n.closeMutual(peer(n), { fee: WHOLE_CHANNEL }), codes: FEE },
  { name: 'shutdown_sign_ack whose fee costs us 60e12 of our 70e12', request: 'channels.sign.shutdown_sign_ack', forge: (n) => n.closeMutual(peer(n), { fee: COSTS_US_60E12 }), codes: FEE },
  { name: 'shutdown_sign_ack with fee 10^21', request: 'channels.sign.shutdown_sign_ack', forge: (n) => n.closeMutual(peer(n), { fee: FAR_TOO_HIGH }), codes: ['FEE_ABOVE_POLICY', 'WRONG_AMOUNT'] },
  { name: 'shutdown_sign_ack paying 10e12 of ours to the peer (the fee split as the node does)', request: 'channels.sign.shutdown_sign_ack', forge: (n) => n.closeMutual(peer(n), { payout: shifted(AMOUNT) }), codes: ['WRONG_AMOUNT'] },
  { name: 'shutdown_sign_ack posted by a third account', request: 'channels.sign.shutdown_sign_ack', forge: (n) => n.closeMutual(n.third.publicKey), codes: ['WRONG_PARTY'] },
  { name: 'shutdown_sign_ack signed by the peer for ae_mainnet', request: 'channels.sign.shutdown_sign_ack', forge: (n) => n.closeMutual(peer(n)), peerNetworkId: MAINNET, codes: ['MISSING_SIGNATURE'] },
  // Our own solo close, `closeSolo()`, and one we never asked for.
  { name: 'close_solo_sign with fee 10^21', call: closeSolo, request: 'channels.sign.close_solo_sign', forge: solo(Tag.ChannelCloseSoloTx, () => ({ fee: FAR_TOO_HIGH })), codes: FEE },
  { name: 'close_solo_sign with the payload of an older round', setup: twoRounds, call: closeSolo, request: 'channels.sign.close_solo_sign', forge: solo(Tag.ChannelCloseSoloTx, (n) => ({ payload: n.states[1]! })), codes: ['WRONG_PAYLOAD'] },
  { name: 'close_solo_sign with the PoI of another state', setup: transferred, call: closeSolo, request: 'channels.sign.close_solo_sign', forge: solo(Tag.ChannelCloseSoloTx, (n) => ({ poi: n.states[0]!.state })), codes: ['WRONG_STATE_HASH'] },
  { name: 'close_solo_sign whose PoI is padded with 3,000 kB of unreachable nodes (a fee over 2,000 times the honest one)', setup: transferred, call: closeSolo, request: 'channels.sign.close_solo_sign', forge: solo(Tag.ChannelCloseSoloTx, (n) => ({ poi: paddedPoi(n.latest.state, 3000) })), codes: ['MALFORMED_TX'] },
  { name: 'close_solo_sign whose PoI is the roots alone (it hashes right and proves no balance)', setup: transferred, call: closeSolo, request: 'channels.sign.close_solo_sign', forge: solo(Tag.ChannelCloseSoloTx, (n) => ({ poi: rootsOnlyPoi(n.latest.state) })), codes: ['WRONG_STATE_HASH'] },
  { name: 'close_solo_sign whose payload lost its co-signatures (the chain refuses the close)', setup: transferred, call: closeSolo, request: 'channels.sign.close_solo_sign', forge: solo(Tag.ChannelCloseSoloTx, () => ({ signatures: [] })), codes: ['WRONG_PAYLOAD'] },
  { name: "close_solo_sign with an empty payload while round 3 is off-chain (it closes on round 1, whose balances are round 3's, and round 2 slashes it)", setup: balancesRepeat, call: closeSolo, request: 'channels.sign.close_solo_sign', forge: solo(Tag.ChannelCloseSoloTx, () => ({ payload: null })), codes: ['WRONG_PAYLOAD'] },
  { name: "close_solo_sign with an empty payload after a report that the peer's snapshot of round 3 is on chain (only our own counts)", setup: peerSnapshotReported, call: closeSolo, request: 'channels.sign.close_solo_sign', forge: solo(Tag.ChannelCloseSoloTx, () => ({ payload: null })), codes: ['WRONG_PAYLOAD'] },
  { name: 'close_solo_sign posted by the peer', call: closeSolo, request: 'channels.sign.close_solo_sign', forge: solo(Tag.ChannelCloseSoloTx, (n) => ({ from: peer(n) })), codes: ['WRONG_PARTY'] },
  { name: 'close_solo_sign unrequested while open', setup: transferred, request: 'channels.sign.close_solo_sign', forge: solo(Tag.ChannelCloseSoloTx), codes: ['UNEXPECTED_REQUEST'] },
  // Snapshots.
  { name: 'snapshot_solo_tx with fee 10^21', setup: transferred, call: snapshot, request: 'channels.sign.snapshot_solo_tx', forge: solo(Tag.ChannelSnapshotSoloTx, () => ({ fee: FAR_TOO_HIGH })), codes: FEE },
  { name: 'snapshot_solo_tx with the payload of an older round', setup: twoRounds, call: snapshot, request: 'channels.sign.snapshot_solo_tx', forge: solo(Tag.ChannelSnapshotSoloTx, (n) => ({ payload: n.states[1]! })), codes: ['WRONG_PAYLOAD'] },
  { name: 'snapshot_solo_tx unrequested while open', setup: transferred, request: 'channels.sign.snapshot_solo_tx', forge: solo(Tag.ChannelSnapshotSoloTx), codes: ['UNEXPECTED_REQUEST'] },
  // Slashing the peer's solo close on an older round (the client's auto-slash).
  { name: 'slash_tx with fee 10^21', setup: slashable, call: autoSlash, request: 'channels.sign.slash_tx', forge: solo(Tag.ChannelSlashTx, () => ({ fee: FAR_TOO_HIGH })), codes: FEE },
  { name: 'slash_tx with the older payload the peer closed with', setup: slashable, call: autoSlash, request: 'channels.sign.slash_tx', forge: solo(Tag.ChannelSlashTx, (n) => ({ payload: n.states[1]! })), codes: ['WRONG_PAYLOAD'] },
  { name: 'slash_tx whose PoI is the roots alone', setup: slashable, call: autoSlash, request: 'channels.sign.slash_tx', forge: solo(Tag.ChannelSlashTx, (n) => ({ poi: rootsOnlyPoi(n.latest.state) })), codes: ['WRONG_STATE_HASH'] },
  { name: 'slash_tx whose payload carries only our signature', setup: slashable, call: autoSlash, request: 'channels.sign.slash_tx', forge: solo(Tag.ChannelSlashTx, (n) => ({ signatures: unpackTx(n.latest.tx, Tag.SignedTx).signatures.slice(0, 1) })), codes: ['WRONG_PAYLOAD'] },
  // Settling our solo close, `settle()`, and one we never asked for.
  { name: 'settle_sign with fee 10^21', setup: soloClosed, call: settle, request: 'channels.sign.settle_sign', forge: (n) => n.settle({ fee: FAR_TOO_HIGH }), codes: FEE },
  { name: 'settle_sign paying 10e12 of ours to the peer, other than the state closed on chain', setup: soloClosed, call: settle, request: 'channels.sign.settle_sign', forge: (n) => n.settle({ payout: shifted(AMOUNT) }), codes: ['WRONG_AMOUNT'] },
  { name: 'settle_sign posted by a third account', setup: soloClosed, call: settle, request: 'channels.sign.settle_sign', forge: (n) => n.settle({ from: n.third.publicKey }), codes: ['WRONG_PARTY'] },
  { name: 'settle_sign unrequested while open', request: 'channels.sign.settle_sign', forge: (n) => n.settle(), codes: ['UNEXPECTED_REQUEST'] },
  // Off-chain.
  { name: 'update_ack signed by the peer for ae_mainnet', request: 'channels.sign.update_ack', forge: (n) => n.transfer(peer(n), us(n), 1n), peerNetworkId: MAINNET, codes: ['MISSING_SIGNATURE'] },
];

describe('harmful sign requests are refused with a stable code and a reason, never signed', () => {
  test.each(HARMFUL)('$name', async (c) => {
    node = await ScriptedChannelNode.open();
    const n = node;
    await c.setup?.(n);
    const before = coSigned(n.channel);
    const op = await begin(n, c.call);
    const status = n.channel.status;
    const refused = n.refusals.length;

    const answer = await n.ask(c.request, c.forge(n), { ...(c.peerNetworkId && { peerNetworkId: c.peerNetworkId }) });
    const code = expectRefused(answer, c.codes);
    expectReason(n.refusals.slice(refused), c.request, code);

    n.abortRound();
    if (op) {
      const outcome: Settled = await withTimeout(op.settled, 5000, c.call!.request);
      expect(outcome).toMatchObject({ error: { code } });
    }
    await until(() => n.channel.status === status);
    expect(coSigned(n.channel)).toEqual(before);
  });

  test('100 unrequested slash_tx requests while the channel is open (no solo close on chain): all refused', async () => {
    node = await ScriptedChannelNode.open();
    const n = node;
    await transferred(n);
    const before = coSigned(n.channel);
    const codes: (number | 'signed')[] = [];
    for (let k = 0; k < 100; k++) {
      const answer = await n.ask('channels.sign.slash_tx', { tx: n.solo(Tag.ChannelSlashTx, { fee: 20_000_000_000_000n + BigInt(k) }), updates: [] });
      tallyHarmful(answer);
      codes.push(answer.error ?? 'signed');
      n.abortRound();
    }
    expect(codes).toEqual(Array<number>(100).fill(AbortCode.UNEXPECTED_REQUEST));
    expect(n.refusals).toHaveLength(100);
    await until(() => n.channel.status === 'open');
    expect(coSigned(n.channel)).toEqual(before);
  });
});

// ——— the create tx, while opening ———

interface CreateHarm {
  readonly name: string;
  readonly forge: (third: KeyPair) => CreateForgery;
  readonly codes: readonly AbortName[];
}

const HARMFUL_CREATE: readonly CreateHarm[] = [
  { name: 'initiator_sign with fee 10^21', forge: () => ({ fee: FAR_TOO_HIGH }), codes: FEE },
  { name: 'initiator_sign naming a third-party delegate', forge: (third) => ({ delegateIds: [third.publicKey] }), codes: ['FOREIGN_ACCOUNT'] },
  { name: 'initiator_sign with another responder', forge: (third) => ({ responderId: third.publicKey }), codes: ['WRONG_PARTY'] },
  { name: 'initiator_sign with another initiator amount', forge: () => ({ initiatorAmount: SEED_TERMS.initiatorAmount + AMOUNT }), codes: ['WRONG_AMOUNT'] },
];

describe('a create tx other than the agreed one is refused while opening', () => {
  test.each(HARMFUL_CREATE)('$name', async (c) => {
    opening = await connectScripted();
    const { conn, channel, i, r } = opening;
    const refusals: RefusedError[] = [];
    channel.on('refused', (e) => refusals.push(e));
    channel.opened.catch(() => undefined);
    const answer = (await offerCreate(conn, seedCreateTx(i, r, c.forge(generateKeyPair())).create)).params as SignAnswer;
    const code = expectRefused(answer, c.codes);
    expectReason(refusals, 'channels.sign.initiator_sign', code);
    expect(channel.round).toBe(0n);
  });
});

// ——— honest controls ———

interface Honest {
  readonly name: string;
  readonly setup?: Setup;
  readonly call?: Call;
  readonly request: SignRequestMethod;
  readonly offer: (n: ScriptedChannelNode) => Proposal;
  /** What the node reports once the client signed: the co-signed round, or the tx on chain. */
  readonly then?: 'round' | ChannelTxType;
}

const HONEST: readonly Honest[] = [
  { name: "update_ack: the peer's transfer to us", request: 'channels.sign.update_ack', offer: (n) => n.transfer(peer(n), us(n), AMOUNT), then: 'round' },
  { name: 'deposit_tx: our deposit at the minimum fee', call: deposit, request: 'channels.sign.deposit_tx', offer: (n) => n.funding('deposit', us(n), AMOUNT), then: 'round' },
  {
    name: 'deposit_tx: our deposit at the fee the caller asked for',
    call: { operation: (c) => c.deposit(AMOUNT, { fee: 30_000_000_000_000n }), request: 'channels.deposit' },
    request: 'channels.sign.deposit_tx',
    offer: (n) => n.funding('deposit', us(n), AMOUNT, { fee: 30_000_000_000_000n }),
    then: 'round',
  },
  { name: 'withdraw_tx: our withdrawal at the minimum fee', call: withdraw, request: 'channels.sign.withdraw_tx', offer: (n) => n.funding('withdraw', us(n), AMOUNT), then: 'round' },
  { name: "deposit_ack: the peer's deposit", request: 'channels.sign.deposit_ack', offer: (n) => n.funding('deposit', peer(n), AMOUNT), then: 'round' },
  { name: "withdraw_ack: the peer's withdrawal", request: 'channels.sign.withdraw_ack', offer: (n) => n.funding('withdraw', peer(n), AMOUNT), then: 'round' },
  { name: 'shutdown_sign: our mutual close', setup: transferred, call: shutdown, request: 'channels.sign.shutdown_sign', offer: (n) => n.closeMutual(us(n)), then: 'channel_close_mutual_tx' },
  { name: "shutdown_sign_ack: the peer's mutual close", setup: transferred, request: 'channels.sign.shutdown_sign_ack', offer: (n) => n.closeMutual(peer(n)) },
  { name: 'close_solo_sign: our solo close on the state on chain (empty payload)', call: closeSolo, request: 'channels.sign.close_solo_sign', offer: solo(Tag.ChannelCloseSoloTx), then: 'channel_close_solo_tx' },
  { name: 'close_solo_sign: our solo close on the last off-chain round', setup: twoRounds, call: closeSolo, request: 'channels.sign.close_solo_sign', offer: solo(Tag.ChannelCloseSoloTx), then: 'channel_close_solo_tx' },
  { name: 'snapshot_solo_tx: our snapshot of the last off-chain round', setup: transferred, call: snapshot, request: 'channels.sign.snapshot_solo_tx', offer: solo(Tag.ChannelSnapshotSoloTx), then: 'channel_snapshot_solo_tx' },
  { name: "slash_tx: the auto-slash of the peer's solo close on an older round", setup: slashable, call: autoSlash, request: 'channels.sign.slash_tx', offer: solo(Tag.ChannelSlashTx), then: 'channel_slash_tx' },
  { name: 'settle_sign: settling our solo close', setup: soloClosed, call: settle, request: 'channels.sign.settle_sign', offer: (n) => n.settle(), then: 'channel_settle_tx' },
];

describe('honest controls: the same flows as the node runs them are signed', () => {
  test.each(HONEST)('$name', async (c) => {
    node = await ScriptedChannelNode.open();
    const n = node;
    await c.setup?.(n);
    const round = n.channel.round;
    const op = await begin(n, c.call);
    const proposal = c.offer(n);
    const { signed_tx: signed, error } = await n.ask(c.request, proposal);
    expect(error, `refused: ${n.refusals.map((e) => e.message).join('; ')}`).toBeUndefined();
    expect(signed).toMatch(/^tx_/);
    tally.honest++;

    if (c.then === 'round') {
      const next = await n.coSign(signed!, proposal.state!);
      expect(n.channel.round).toBe(round + 1n);
      if (op) expect(await withTimeout(op.settled, 5000, c.call!.request)).toEqual({ value: next.round });
    } else if (c.then !== undefined) {
      n.onChain(signed!, c.then);
      if (op) expect(await withTimeout(op.settled, 5000, c.call!.request)).toEqual({ value: signed });
      expect(n.channel.round).toBe(round);
    }
    expect(n.refusals).toEqual([]);
  });

  test('initiator_sign: the agreed create tx at the minimum fee; the channel opens at round 1', async () => {
    opening = await connectScripted();
    const { conn, channel, i, r } = opening;
    await scriptOpen(conn, i, r, seedCreateTx(i, r));
    await withTimeout(channel.opened, 5000, 'the opening');
    tally.honest++;
    expect(channel.round).toBe(1n);
  });
});
