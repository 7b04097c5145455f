/** channel_create_tx (50): aeprimop channel_create_tx_instructions and channel_create. */
import { channelId, type ChannelCreateTx } from '@ch/codec';
import { debit } from '../accounts.js';
import { newChannel } from '../channels.js';
import { ChainErrorCode, check } from '../errors.js';
import type { Protocol } from './kinds.js';
import type { Validator } from './validator.js';

/** `valid_at_protocol`: version 1 before Iris, version 2 (delegates per participant) from Iris on. */
const CREATE_VERSION: { readonly [P in Protocol]: ChannelCreateTx['version'] } = { lima: 1, iris: 2 };

export const create: Validator<ChannelCreateTx> = {
  signers: (tx) => [tx.initiatorId, tx.responderId],
  origin: (tx) => tx.initiatorId,
  apply(tx, { ledger, protocol }) {
    check(
      protocol === undefined || CREATE_VERSION[protocol] === tx.version,
      ChainErrorCode.INVALID_AT_PROTOCOL,
      `the ${protocol} protocol takes create tx version ${protocol && CREATE_VERSION[protocol]}, not ${tx.version}`,
    );
    // Each side funds its own amount; the initiator pays the fee too.
    debit(ledger, tx.initiatorId, tx.fee + tx.initiatorAmount);
    debit(ledger, tx.responderId, tx.responderAmount);
    check(
      tx.initiatorAmount >= tx.channelReserve && tx.responderAmount >= tx.channelReserve,
      ChainErrorCode.BAD_AMOUNT,
      `both amounts (${tx.initiatorAmount}, ${tx.responderAmount}) must reach the channel reserve ${tx.channelReserve}`,
    );
    check(tx.initiatorId !== tx.responderId, ChainErrorCode.MALFORMED_TX, 'the initiator is the responder');
    // The id is new: it hashes the initiator's nonce, which only grows. (A generalized initiator
    // would create with nonce 0 and an auth id instead; GA txs are refused before this.)
    ledger.setChannel(channelId(tx.initiatorId, tx.nonce, tx.responderId), newChannel(tx));
  },
};
