/** Every kind of invalid submission is refused with its ChainError code and leaves the chain as it was. */
import { buildTx, decode, encode, generateKeyPair, OffChainState, Tag, toHex, unpackTx, type Encoded, type KeyPair } from '@ch/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelKit, GENESIS_BALANCE, INITIATOR_AMOUNT, RESPONDER_AMOUNT, sign, stateHash } from './channel-kit.test-helper.js';
import { ChainErrorCode, isChainError } from './errors.js';

/** Where the channel is when the bad tx comes: just created, solo-closing, or past its lock. */
type Stage = 'none' | 'open' | 'locked' | 'expired';

interface Case {
  name: string;
  code: ChainErrorCode;
  stage?: Stage;
  protocol?: 'lima' | 'iris';
  build(kit: ChannelKit): Encoded<'tx'>;
}

function prepare(kit: ChannelKit, stage: Stage): void {
  if (stage === 'none') return;
  kit.open();
  if (stage === 'open') return;
  kit.post(sign(kit.closeSoloTx(kit.initiator, null, kit.state), [kit.initiator]));
  if (stage === 'locked') return;
  while (BigInt(kit.chain.height + 1) < kit.chain.channel(kit.channelId)!.lockedUntil) kit.chain.mine();
}

/** A co-signed payload of an off-chain state that holds `balances` (participant or not). */
function payloadOf(kit: ChannelKit, balances: [KeyPair, bigint][]): { payload: ReturnType<ChannelKit['coSigned']>; state: OffChainState } {
  const state = new OffChainState(balances.map(([party, balance]) => [toHex(decode(party.publicKey, 'ak')), balance]));
  kit.states.set(++kit.round, state);
  return { payload: kit.coSigned(), state };
}

const OTHER_CHANNEL = encode(new Uint8Array(32).fill(7), 'ch');

const cases: Case[] = [
  // Signatures
  { name: 'a signature by the wrong key', code: ChainErrorCode.BAD_SIGNATURE, build: (k) => sign(k.depositTx(k.initiator, 1n), [k.initiator, k.outsider]) },
  { name: 'a missing co-signature', code: ChainErrorCode.BAD_SIGNATURE, build: (k) => sign(k.depositTx(k.initiator, 1n), [k.initiator]) },
  { name: 'an extra signature', code: ChainErrorCode.BAD_SIGNATURE, build: (k) => sign(k.depositTx(k.initiator, 1n), [...k.both, k.outsider]) },
  {
    name: 'signatures under another network id',
    code: ChainErrorCode.BAD_SIGNATURE,
    build: (k) => sign(k.depositTx(k.initiator, 1n), k.both, { networkId: 'local_lima_testnet' }),
  },
  {
    name: 'a payload signed by one participant only',
    code: ChainErrorCode.BAD_SIGNATURE,
    build: (k) => {
      k.advance([]);
      return sign(k.snapshotTx(k.responder, k.coSigned(k.round, [k.initiator])), [k.responder]);
    },
  },
  // Nonces, replays, fees, ttl, accounts
  { name: 'a nonce used already', code: ChainErrorCode.BAD_NONCE, build: (k) => sign(k.priced({ ...k.depositTx(k.initiator, 1n), nonce: 1n }), k.both) },
  { name: 'a nonce past the next one', code: ChainErrorCode.BAD_NONCE, build: (k) => sign(k.priced({ ...k.depositTx(k.initiator, 1n), nonce: 3n }), k.both) },
  {
    name: 'a replayed tx',
    code: ChainErrorCode.DUPLICATE_TX,
    stage: 'none',
    build: (k) => {
      const create = sign(k.createTx(), k.both);
      k.post(create);
      return create;
    },
  },
  {
    name: 'a fee below the minimum gas price',
    code: ChainErrorCode.FEE_TOO_LOW,
    build: (k) => {
      const tx = k.depositTx(k.initiator, 1n);
      return sign({ ...tx, fee: tx.fee / 2n }, k.both);
    },
  },
  { name: 'an expired ttl', code: ChainErrorCode.TX_EXPIRED, build: (k) => sign(k.priced({ ...k.depositTx(k.initiator, 1n), ttl: 1n }), k.both) },
  { name: 'more than the balance', code: ChainErrorCode.INSUFFICIENT_BALANCE, build: (k) => sign(k.depositTx(k.initiator, GENESIS_BALANCE), k.both) },
  {
    name: 'an account the chain does not know',
    code: ChainErrorCode.UNKNOWN_ACCOUNT,
    stage: 'none',
    build: (k) => {
      const stranger = generateKeyPair();
      const tx = { tag: Tag.SpendTx, version: 1, senderId: stranger.publicKey, recipientId: k.initiator.publicKey, amount: 1n, fee: 0n, ttl: 0n, nonce: 1n, payload: new Uint8Array() } as const;
      return sign(k.priced(tx), [stranger]);
    },
  },
  // Participants and channels
  {
    name: 'a solo close by a non-participant',
    code: ChainErrorCode.NOT_PARTICIPANT,
    build: (k) => sign(k.closeSoloTx(k.outsider, null, k.state), [k.outsider]),
  },
  {
    name: 'a deposit from a non-participant',
    code: ChainErrorCode.NOT_PARTICIPANT,
    build: (k) => sign(k.priced({ ...k.depositTx(k.initiator, 1n), fromId: k.outsider.publicKey, nonce: 1n }), k.both),
  },
  {
    name: 'a snapshot by a delegate of a Lima channel',
    code: ChainErrorCode.NOT_PARTICIPANT,
    stage: 'none',
    build: (k) => {
      k.open(1);
      k.advance([]);
      return sign(k.snapshotTx(k.delegate, k.coSigned()), [k.delegate]);
    },
  },
  {
    name: 'an unknown channel',
    code: ChainErrorCode.UNKNOWN_CHANNEL,
    build: (k) => sign(k.priced({ ...k.depositTx(k.initiator, 1n), channelId: OTHER_CHANNEL }), k.both),
  },
  { name: 'a create tx version 1 on an Iris chain', code: ChainErrorCode.INVALID_AT_PROTOCOL, stage: 'none', protocol: 'iris', build: (k) => sign(k.createTx(1), k.both) },
  { name: 'a create tx version 2 on a Lima chain', code: ChainErrorCode.INVALID_AT_PROTOCOL, stage: 'none', protocol: 'lima', build: (k) => sign(k.createTx(2), k.both) },
  {
    name: 'a create below the channel reserve',
    code: ChainErrorCode.BAD_AMOUNT,
    stage: 'none',
    build: (k) => sign(k.priced({ ...k.createTx(), channelReserve: RESPONDER_AMOUNT + 1n }), k.both),
  },
  // Rounds, states and proofs
  { name: 'a deposit at the channel round', code: ChainErrorCode.BAD_ROUND, build: (k) => sign(k.priced({ ...k.depositTx(k.initiator, 1n), round: 1n }), k.both) },
  { name: 'a snapshot of the on-chain round', code: ChainErrorCode.BAD_ROUND, build: (k) => sign(k.snapshotTx(k.responder, k.coSigned(1n)), [k.responder]) },
  {
    name: 'a solo close whose PoI proves another state than the payload',
    code: ChainErrorCode.BAD_STATE_HASH,
    build: (k) => {
      const proven = k.state;
      k.advance([{ op: 'OffChainTransfer', from: k.initiator.publicKey, to: k.responder.publicKey, amount: 5n }]);
      return sign(k.closeSoloTx(k.initiator, k.coSigned(), proven), [k.initiator]);
    },
  },
  {
    name: 'a solo close on the on-chain state with the PoI of an off-chain one',
    code: ChainErrorCode.BAD_STATE_HASH,
    build: (k) => sign(k.closeSoloTx(k.initiator, null, k.advance([{ op: 'OffChainTransfer', from: k.initiator.publicKey, to: k.responder.publicKey, amount: 5n }])), [k.initiator]),
  },
  {
    name: 'a PoI without a participant',
    code: ChainErrorCode.BAD_POI,
    build: (k) => {
      const { payload, state } = payloadOf(k, [[k.initiator, INITIATOR_AMOUNT], [k.outsider, RESPONDER_AMOUNT]]);
      return sign(k.closeSoloTx(k.initiator, payload, state), [k.initiator]);
    },
  },
  {
    name: 'a PoI holding more than the channel',
    code: ChainErrorCode.BAD_POI,
    build: (k) => {
      const { payload, state } = payloadOf(k, [[k.initiator, INITIATOR_AMOUNT + 1n], [k.responder, RESPONDER_AMOUNT]]);
      return sign(k.closeSoloTx(k.initiator, payload, state), [k.initiator]);
    },
  },
  {
    name: "a payload of another channel's state",
    code: ChainErrorCode.BAD_PAYLOAD,
    build: (k) => {
      k.advance([]);
      const offChain = { tag: Tag.ChannelOffChainTx, version: 2, channelId: OTHER_CHANNEL, round: k.round, stateHash: stateHash(k.state) } as const;
      return sign(k.snapshotTx(k.responder, unpackTx(sign(offChain, k.both), Tag.SignedTx)), [k.responder]);
    },
  },
  { name: 'a snapshot without payload', code: ChainErrorCode.BAD_PAYLOAD, build: (k) => sign(k.snapshotTx(k.responder, null), [k.responder]) },
  { name: 'a slash without payload', code: ChainErrorCode.BAD_PAYLOAD, stage: 'locked', build: (k) => sign(k.slashTx(k.responder, null, k.state), [k.responder]) },
  // Channel life
  { name: 'a deposit into a solo-closing channel', code: ChainErrorCode.CHANNEL_LOCKED, stage: 'locked', build: (k) => sign(k.depositTx(k.initiator, 1n), k.both) },
  {
    name: 'a settle before the lock expires',
    code: ChainErrorCode.CHANNEL_LOCKED,
    stage: 'locked',
    build: (k) => sign(k.settleTx(k.responder, INITIATOR_AMOUNT, RESPONDER_AMOUNT), [k.responder]),
  },
  {
    name: 'a slash of an active channel',
    code: ChainErrorCode.CHANNEL_ACTIVE,
    build: (k) => {
      k.advance([]);
      return sign(k.slashTx(k.responder, k.coSigned(), k.state), [k.responder]);
    },
  },
  { name: 'a settle of an active channel', code: ChainErrorCode.CHANNEL_ACTIVE, build: (k) => sign(k.settleTx(k.responder, INITIATOR_AMOUNT, RESPONDER_AMOUNT), [k.responder]) },
  {
    name: 'a settle with other amounts than the solo close proved',
    code: ChainErrorCode.BAD_AMOUNT,
    stage: 'expired',
    build: (k) => sign(k.settleTx(k.responder, INITIATOR_AMOUNT - 1n, RESPONDER_AMOUNT + 1n), [k.responder]),
  },
  {
    name: 'a withdrawal that leaves less than twice the reserve',
    code: ChainErrorCode.BAD_AMOUNT,
    build: (k) => sign(k.priced({ ...k.withdrawTx(k.responder, 1n), amount: INITIATOR_AMOUNT + RESPONDER_AMOUNT - 3n }), k.both),
  },
  {
    name: 'a mutual close paying out more than the channel',
    code: ChainErrorCode.BAD_AMOUNT,
    build: (k) => {
      const tx = k.closeMutualTx(k.initiator);
      return sign({ ...tx, responderAmountFinal: tx.responderAmountFinal + 1n }, k.both);
    },
  },
  // What this chain does not run, and what is not a tx
  {
    name: 'a GA-wrapped tx',
    code: ChainErrorCode.UNSUPPORTED,
    build: (k) => {
      const inner = unpackTx(sign(k.depositTx(k.initiator, 1n), [k.responder]), Tag.SignedTx);
      const meta = { tag: Tag.GaMetaTx, version: 2, gaId: k.initiator.publicKey, authData: new Uint8Array(1), abiVersion: 3n, fee: 10n ** 15n, gas: 20_000n, gasPrice: 10n ** 9n, tx: inner } as const;
      return buildTx({ tag: Tag.SignedTx, version: 1, signatures: [], encodedTx: meta });
    },
  },
  {
    name: 'an off-chain tx',
    code: ChainErrorCode.UNSUPPORTED,
    build: (k) => {
      k.advance([]);
      return buildTx(k.coSigned());
    },
  },
  { name: 'an unsigned tx', code: ChainErrorCode.MALFORMED_TX, build: (k) => buildTx(k.depositTx(k.initiator, 1n)) },
  { name: 'a corrupt tx string', code: ChainErrorCode.MALFORMED_TX, build: (k) => `${sign(k.depositTx(k.initiator, 1n), k.both).slice(0, -6)}AAAAAA` as Encoded<'tx'> },
];

let kit: ChannelKit;
afterEach(() => kit.chain.stop());

describe('invalid submissions', () => {
  it.each(cases)('$name → $code', ({ code, stage = 'open', protocol, build }) => {
    kit = new ChannelKit(protocol === undefined ? {} : { protocol });
    prepare(kit, stage);
    const tx = build(kit);
    const before = kit.observe();

    let error: unknown;
    try {
      kit.chain.submit(tx);
    } catch (e) {
      error = e;
    }
    expect(isChainError(error) ? error.code : error).toBe(code);
    expect(kit.observe()).toEqual(before);
    expect(kit.chain.mine().txHashes).toEqual([]);
  });

  it('validate() refuses as submit() does, and accepts without keeping the tx', () => {
    kit = new ChannelKit();
    prepare(kit, 'open');
    const deposit = sign(kit.depositTx(kit.initiator, 1n), kit.both);
    expect(() => kit.chain.validate(sign(kit.depositTx(kit.initiator, 1n), [kit.initiator]))).toThrow(/no valid signature/);
    const before = kit.observe();
    const { txHash } = kit.chain.validate(deposit);
    expect(kit.observe()).toEqual(before);
    expect(kit.chain.submit(deposit).txHash).toBe(txHash);
    expect(kit.chain.mine().txHashes).toEqual([txHash]);
  });

  it('covers every error code', () => {
    const tested = new Set(cases.map((c) => c.code));
    expect(Object.values(ChainErrorCode).filter((code) => !tested.has(code))).toEqual([]);
  });
});
