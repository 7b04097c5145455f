/** Full channel lives on the chain, each tx built and signed for real, with balances and channel fields after each. */
import { serializeObject, Tag, type KeyPair, type OffChainState } from '@ch/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelKit, GENESIS_BALANCE, INITIATOR_AMOUNT, LOCK_PERIOD, RESERVE, RESPONDER_AMOUNT, sign, stateHash } from './channel-kit.test-helper.js';

let kit: ChannelKit;
afterEach(() => kit.chain.stop());

/** Balance and nonce of a party, for one-line expectations. */
function funds(party: KeyPair): [bigint, bigint] {
  const { balance, nonce } = kit.account(party);
  return [balance, nonce];
}

/** The channel is solo-closing on `state` of `round`, locked for the lock period from the top block. */
function expectLockedOn(round: bigint, state: OffChainState): void {
  expect(kit.chain.channel(kit.channelId)).toMatchObject({
    round,
    stateHash: stateHash(state),
    initiatorAmount: state.balanceOf(kit.initiator.publicKey),
    responderAmount: state.balanceOf(kit.responder.publicKey),
    lockedUntil: BigInt(kit.chain.height) + LOCK_PERIOD,
  });
}

describe('create → deposit → withdraw → snapshot → close_solo → slash → settle', () => {
  it('moves every coin and field as the node does', () => {
    kit = new ChannelKit({ protocol: 'iris' });
    const { initiator: I, responder: R, chain } = kit;

    // create: each side funds its amount, the initiator pays the fee and uses nonce 1.
    const create = kit.open();
    expect(chain.height).toBe(1);
    expect(funds(I)).toEqual([GENESIS_BALANCE - create.fee - INITIATOR_AMOUNT, 1n]);
    expect(funds(R)).toEqual([GENESIS_BALANCE - RESPONDER_AMOUNT, 0n]);
    const opened = chain.channel(kit.channelId)!;
    expect(opened).toMatchObject({
      tag: Tag.Channel,
      version: 3,
      initiatorId: I.publicKey,
      responderId: R.publicKey,
      channelAmount: INITIATOR_AMOUNT + RESPONDER_AMOUNT,
      initiatorAmount: INITIATOR_AMOUNT,
      responderAmount: RESPONDER_AMOUNT,
      channelReserve: RESERVE,
      initiatorDelegateIds: [],
      responderDelegateIds: [kit.delegate.publicKey],
      stateHash: create.stateHash,
      round: 1n,
      soloRound: 0n,
      lockPeriod: LOCK_PERIOD,
      lockedUntil: 0n,
    });
    // The object is a well-formed tag 58 for the codec.
    expect(serializeObject(opened).length).toBeGreaterThan(0);

    // deposit: the depositor pays amount and fee; the channel grows and takes the new state.
    let [balanceI, balanceR] = [funds(I)[0], funds(R)[0]];
    const deposit = kit.depositTx(I, 10_000_000_000_000n);
    // One participant signs the raw form, the other the Lima+ hashed form: both are accepted.
    kit.post(sign(sign(deposit, [I]), [R], { hashed: true }));
    expect(funds(I)).toEqual([balanceI - deposit.amount - deposit.fee, 2n]);
    expect(chain.channel(kit.channelId)).toMatchObject({ channelAmount: 120_000_000_000_000n, round: 2n, stateHash: deposit.stateHash });
    balanceI = funds(I)[0];

    // withdraw: the withdrawer pays the fee and receives the amount.
    const withdraw = kit.withdrawTx(R, 5_000_000_000_000n);
    kit.post(sign(withdraw, kit.both));
    expect(funds(R)).toEqual([balanceR - withdraw.fee + withdraw.amount, 1n]);
    expect(chain.channel(kit.channelId)).toMatchObject({ channelAmount: 115_000_000_000_000n, round: 3n, stateHash: withdraw.stateHash });
    balanceR = funds(R)[0];

    // Off-chain: two transfers (rounds 4 and 5). The responder snapshots round 4.
    kit.advance([{ op: 'OffChainTransfer', from: I.publicKey, to: R.publicKey, amount: 1_000_000_000_000n }]);
    const round4 = kit.state;
    const snapshot = kit.snapshotTx(R, kit.coSigned(4n));
    kit.advance([{ op: 'OffChainTransfer', from: I.publicKey, to: R.publicKey, amount: 2_000_000_000_000n }]);
    const round5 = kit.state;
    kit.post(sign(snapshot, [R]));
    expect(funds(R)).toEqual([balanceR - snapshot.fee, 2n]);
    expect(chain.channel(kit.channelId)).toMatchObject({ round: 4n, stateHash: stateHash(round4), channelAmount: 115_000_000_000_000n });
    balanceR = funds(R)[0];

    // close_solo: the initiator closes on the last state on chain (empty payload), proven by a PoI of round 4.
    const closeSolo = kit.closeSoloTx(I, null, round4);
    kit.post(sign(closeSolo, [I]));
    expect(funds(I)).toEqual([balanceI - closeSolo.fee, 3n]);
    expectLockedOn(4n, round4);
    balanceI = funds(I)[0];

    // slash: the responder answers with the later round 5, which restarts the lock.
    chain.mine();
    const slash = kit.slashTx(R, kit.coSigned(5n), round5);
    kit.post(sign(slash, [R]));
    const slashedAt = BigInt(chain.height);
    expect(funds(R)).toEqual([balanceR - slash.fee, 3n]);
    expectLockedOn(5n, round5);
    balanceR = funds(R)[0];

    // settle: once the lock has expired, the round-5 amounts are paid out and the channel is gone.
    while (BigInt(chain.height + 1) < slashedAt + LOCK_PERIOD) chain.mine();
    const [finalI, finalR] = [round5.balanceOf(I.publicKey)!, round5.balanceOf(R.publicKey)!];
    const settle = kit.settleTx(I, finalI, finalR);
    kit.post(sign(settle, [I]));
    expect(chain.height).toBe(Number(slashedAt + LOCK_PERIOD));
    expect(funds(I)).toEqual([balanceI - settle.fee + finalI, 4n]);
    expect(funds(R)).toEqual([balanceR + finalR, 3n]);
    expect(chain.channel(kit.channelId)).toBeUndefined();
  });
});

describe('create → close_mutual', () => {
  it('pays out the final amounts with the fee taken from the channel', () => {
    kit = new ChannelKit({ protocol: 'lima' });
    const { initiator: I, responder: R, chain } = kit;
    const create = kit.open(1);
    expect(chain.channel(kit.channelId)).toMatchObject({ version: 2, delegateIds: [kit.delegate.publicKey], round: 1n, lockedUntil: 0n });
    const [balanceI, balanceR] = [funds(I)[0], funds(R)[0]];

    const close = kit.closeMutualTx(R);
    expect(close.initiatorAmountFinal + close.responderAmountFinal + close.fee).toBe(INITIATOR_AMOUNT + RESPONDER_AMOUNT);
    kit.post(sign(close, kit.both));
    // The poster uses a nonce but pays nothing from its account.
    expect(funds(I)).toEqual([balanceI + close.initiatorAmountFinal, 1n]);
    expect(funds(R)).toEqual([balanceR + close.responderAmountFinal, 1n]);
    expect(chain.channel(kit.channelId)).toBeUndefined();
    expect(create.fee).toBe(chain.fee(create));
  });

  it('closes a solo-closing channel too (Lima on)', () => {
    kit = new ChannelKit();
    kit.open();
    kit.post(sign(kit.closeSoloTx(kit.initiator, null, kit.state), [kit.initiator]));
    expect(kit.chain.channel(kit.channelId)?.lockedUntil).toBe(2n + LOCK_PERIOD);
    kit.post(sign(kit.closeMutualTx(kit.initiator), kit.both));
    expect(kit.chain.channel(kit.channelId)).toBeUndefined();
  });
});

describe('spend', () => {
  it('moves amount and fee, and opens an account for a new recipient', () => {
    kit = new ChannelKit();
    const { initiator: I, chain } = kit;
    const newcomer = 'ak_2W5Z2uyH8s1smQo2ZxgB8V3hH9VCJkXmGCaATmtRQjJUbQ8MNB';
    const tx = kit.priced({ tag: Tag.SpendTx, version: 1, senderId: I.publicKey, recipientId: newcomer, amount: 42n, fee: 0n, ttl: 0n, nonce: 1n, payload: new Uint8Array() });
    kit.post(sign(tx, [I]));
    expect(funds(I)).toEqual([GENESIS_BALANCE - 42n - tx.fee, 1n]);
    expect(chain.account(newcomer)).toEqual({ balance: 42n, nonce: 0n });
  });
});

describe('delegates', () => {
  it('may snapshot an Iris channel', () => {
    kit = new ChannelKit();
    kit.open();
    kit.advance([]);
    kit.post(sign(kit.snapshotTx(kit.delegate, kit.coSigned()), [kit.delegate]));
    expect(kit.chain.channel(kit.channelId)?.round).toBe(2n);
  });

  it('may slash a Lima channel', () => {
    kit = new ChannelKit({ protocol: 'lima' });
    kit.open(1);
    kit.post(sign(kit.closeSoloTx(kit.initiator, null, kit.state), [kit.initiator]));
    kit.advance([]);
    kit.post(sign(kit.slashTx(kit.delegate, kit.coSigned(), kit.state), [kit.delegate]));
    expect(kit.chain.channel(kit.channelId)?.round).toBe(2n);
  });
});
