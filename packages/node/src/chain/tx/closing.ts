/**
 * channel_close_mutual_tx (53) and channel_settle_tx (56): the two ways a channel ends, paying out the
 * final amounts and leaving the channels tree. What they leave of the channel the node locks away
 * for good (aeprimop `int_lock_amount`); here it is simply gone.
 */
import type { ChannelCloseMutualTx, ChannelSettleTx, Encoded } from '@ch/codec';
import { credit } from '../accounts.js';
import { requireChannel, requireClosing, requirePeer, type ChannelObject } from '../channels.js';
import { ChainErrorCode, check } from '../errors.js';
import type { Ledger } from '../ledger.js';
import { bothParticipants, postedAlone, type Validator } from './validator.js';

interface FinalAmounts {
  channelId: Encoded<'ch'>;
  initiatorAmountFinal: bigint;
  responderAmountFinal: bigint;
}

function payOut(ledger: Ledger, channel: ChannelObject, tx: FinalAmounts, feeFromChannel: bigint): void {
  const total = tx.initiatorAmountFinal + tx.responderAmountFinal + feeFromChannel;
  check(total <= channel.channelAmount, ChainErrorCode.BAD_AMOUNT, `the tx pays out ${total}, the channel holds ${channel.channelAmount}`);
  credit(ledger, channel.initiatorId, tx.initiatorAmountFinal);
  credit(ledger, channel.responderId, tx.responderAmountFinal);
  ledger.deleteChannel(tx.channelId);
}

/** The fee comes out of the channel, not the poster's account. From Lima on, a solo-closing channel may be closed mutually too. */
export const closeMutual: Validator<ChannelCloseMutualTx> = {
  signers: bothParticipants,
  origin: (tx) => tx.fromId,
  apply(tx, { ledger }) {
    const channel = requireChannel(ledger, tx.channelId);
    requirePeer(channel, tx.fromId);
    payOut(ledger, channel, tx, tx.fee);
  },
};

/** Once the lock has expired, either participant pays out the amounts the last solo close or slash proved. */
export const settle = postedAlone<ChannelSettleTx>((tx, channel, { ledger, height }) => {
  requirePeer(channel, tx.fromId);
  requireClosing(channel);
  check(channel.lockedUntil <= height, ChainErrorCode.CHANNEL_LOCKED, `the channel is locked until height ${channel.lockedUntil}`);
  check(
    tx.initiatorAmountFinal === channel.initiatorAmount && tx.responderAmountFinal === channel.responderAmount,
    ChainErrorCode.BAD_AMOUNT,
    `the final amounts must be the channel's ${channel.initiatorAmount} and ${channel.responderAmount}`,
  );
  payOut(ledger, channel, tx, 0n);
});
