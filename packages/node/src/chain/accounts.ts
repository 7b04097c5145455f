/** Account rules of the node's primops (aeprimop.erl): nonces, fees and amounts. */
import type { Encoded } from '@ch/codec';
import { ChainError, ChainErrorCode, check } from './errors.js';
import type { AccountState, Ledger } from './ledger.js';

function requireAccount(ledger: Ledger, id: Encoded<'ak'>): AccountState {
  const account = ledger.account(id);
  if (account === undefined) throw new ChainError(ChainErrorCode.UNKNOWN_ACCOUNT, `account ${id} does not exist`);
  return account;
}

/** The nonce the account's next tx must carry (1 for an account the chain has not seen). */
export function nextNonce(ledger: Ledger, id: Encoded<'ak'>): bigint {
  return (ledger.account(id)?.nonce ?? 0n) + 1n;
}

/** `inc_account_nonce`: the tx must carry exactly the next nonce, which it then uses up. */
export function useNonce(ledger: Ledger, id: Encoded<'ak'>, nonce: bigint): void {
  const account = requireAccount(ledger, id);
  const expected = account.nonce + 1n;
  check(nonce === expected, ChainErrorCode.BAD_NONCE, `${id} must use nonce ${expected}, the tx has ${nonce}`);
  ledger.setAccount(id, { ...account, nonce });
}

/** `spend_fee` / `account_spend`: takes `amount` (a fee, plus any amount sent) from an existing account. */
export function debit(ledger: Ledger, id: Encoded<'ak'>, amount: bigint): void {
  const account = requireAccount(ledger, id);
  check(account.balance >= amount, ChainErrorCode.INSUFFICIENT_BALANCE, `${id} has ${account.balance}, needs ${amount}`);
  ledger.setAccount(id, { ...account, balance: account.balance - amount });
}

/** `account_earn` after `ensure_account`: a recipient the chain has not seen gets a fresh account. */
export function credit(ledger: Ledger, id: Encoded<'ak'>, amount: bigint): void {
  const account = ledger.account(id) ?? { balance: 0n, nonce: 0n };
  ledger.setAccount(id, { ...account, balance: account.balance + amount });
}
