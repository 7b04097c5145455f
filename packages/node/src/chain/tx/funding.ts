/** channel_deposit_tx (51) and channel_withdraw_tx (52): co-signed moves of coins into and out of an open channel. */
import type { ChannelDepositTx, ChannelWithdrawTx, Encoded } from '@ch/codec';
import { credit, debit } from '../accounts.js';
import { requireActive, requireChannel, requirePeer, requireRoundAbove, withCoSignedState } from '../channels.js';
import { ChainErrorCode, check } from '../errors.js';
import type { Ledger } from '../ledger.js';
import { bothParticipants, type Validator } from './validator.js';

/** `channel_deposit` / `channel_withdraw`: the account's channel, active, at a later round, takes the new state and amount. */
function fund(ledger: Ledger, tx: ChannelDepositTx | ChannelWithdrawTx, account: Encoded<'ak'>, change: bigint): void {
  const channel = requireChannel(ledger, tx.channelId);
  requireActive(channel);
  requirePeer(channel, account);
  if (change < 0n) {
    const floor = 2n * channel.channelReserve - change;
    check(channel.channelAmount >= floor, ChainErrorCode.BAD_AMOUNT, `withdrawing ${-change} needs ${floor} in the channel, it holds ${channel.channelAmount}`);
  }
  requireRoundAbove(channel, tx.round);
  ledger.setChannel(tx.channelId, { ...withCoSignedState(channel, tx), channelAmount: channel.channelAmount + change });
}

export const deposit: Validator<ChannelDepositTx> = {
  signers: bothParticipants,
  origin: (tx) => tx.fromId,
  apply(tx, { ledger }) {
    debit(ledger, tx.fromId, tx.fee + tx.amount);
    fund(ledger, tx, tx.fromId, tx.amount);
  },
};

export const withdraw: Validator<ChannelWithdrawTx> = {
  signers: bothParticipants,
  origin: (tx) => tx.toId,
  apply(tx, { ledger }) {
    debit(ledger, tx.toId, tx.fee);
    fund(ledger, tx, tx.toId, -tx.amount);
    credit(ledger, tx.toId, tx.amount);
  },
};
