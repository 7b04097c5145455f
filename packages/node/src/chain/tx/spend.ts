/** spend_tx (12): aeprimop spend_tx_instructions, for account recipients. */
import type { SpendTx } from '@ch/codec';
import { credit, debit } from '../accounts.js';
import { ChainError, ChainErrorCode } from '../errors.js';
import type { Validator } from './validator.js';

export const spend: Validator<SpendTx> = {
  signers: (tx) => [tx.senderId],
  origin: (tx) => tx.senderId,
  apply(tx, { ledger }) {
    // Names, oracles and contracts would need their trees; a channel's tests only pay accounts.
    if (!tx.recipientId.startsWith('ak_')) throw new ChainError(ChainErrorCode.UNSUPPORTED, `spend to ${tx.recipientId.slice(0, 3)} recipients`);
    debit(ledger, tx.senderId, tx.fee + tx.amount);
    credit(ledger, tx.recipientId as typeof tx.senderId, tx.amount);
  },
};
