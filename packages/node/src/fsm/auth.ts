/** Checks of the txs clients sign and peers send (aesc_fsm `verify_signatures/3`, `check_tx_if_expected/3`). */
import { channelIdFromCreateTx, Tag, type Encoded, type UnsignedTx } from '@ch/codec';
import { decoded, innerEncoded } from '../chain/decoded.js';
import { signersOf } from '../chain/signatures.js';

/** The tx inside the signed-tx wrapper (or the tx itself if it is not wrapped). */
export function innerTx(tx: Encoded<'tx'>): UnsignedTx {
  return decoded(tx).inner;
}

/**
 * True if every one of `accounts` signed `tx` under `networkId`, in the raw or the hashed form.
 * With `earlier`, a version of the same tx checked before (the proposal a co-signed tx grew from),
 * only the signatures `earlier` lacks are verified (see signersOf).
 */
export function signedByAll(tx: Encoded<'tx'>, networkId: string, accounts: readonly Encoded<'ak'>[], earlier?: Encoded<'tx'>): boolean {
  try {
    return signersOf(tx, networkId, accounts, earlier).length === accounts.length;
  } catch {
    return false;
  }
}

/** Whether two (signed) txs wrap the same transaction. */
export function sameTx(a: Encoded<'tx'>, b: Encoded<'tx'>): boolean {
  try {
    return innerEncoded(a) === innerEncoded(b);
  } catch {
    return false;
  }
}

/** The node's error for a tx of another kind than expected (`not_offchain_tx`, `not_deposit_tx`, …). */
const WRONG_KIND: ReadonlyMap<number, string> = new Map([
  [Tag.ChannelOffChainTx, 'not_offchain_tx'],
  [Tag.ChannelDepositTx, 'not_deposit_tx'],
  [Tag.ChannelWithdrawTx, 'not_withdraw_tx'],
  [Tag.ChannelCloseMutualTx, 'not_close_mutual_tx'],
  [Tag.ChannelSettleTx, 'not_settle_tx'],
]);

const CHECKED_FIELDS = [
  ['channelId', 'different_channel_id'],
  ['round', 'wrong_round'],
  ['stateHash', 'bad_state_hash'],
] as const;

/** A field as the tx's module reports it: a create tx names the channel it creates, at round 1 (aesc_create_tx). */
function fieldOf(tx: UnsignedTx, field: (typeof CHECKED_FIELDS)[number][0]): unknown {
  if (tx.tag === Tag.ChannelCreateTx && field !== 'stateHash') return field === 'round' ? 1n : channelIdFromCreateTx(tx);
  return (tx as Partial<Record<typeof field, unknown>>)[field];
}

/**
 * Why `signed` is not a tx of the kind, channel, round and state hash `expected` has, named as the
 * node's errors (check_tx_if_expected/3); undefined if those match.
 */
export function mismatch(signed: Encoded<'tx'>, expected: UnsignedTx): string | undefined {
  let tx: UnsignedTx;
  try {
    tx = innerTx(signed);
  } catch {
    return 'bad_tx_serialization';
  }
  for (const [field, error] of CHECKED_FIELDS) if (fieldOf(tx, field) !== fieldOf(expected, field)) return error;
  if (tx.tag !== expected.tag) return WRONG_KIND.get(expected.tag) ?? 'unexpected_tx_type';
  return undefined;
}

/** Why a signed tx is not exactly the one the FSM asked its client to sign. */
export function unexpectedTx(signed: Encoded<'tx'>, proposed: Encoded<'tx'>): string | undefined {
  return mismatch(signed, innerTx(proposed)) ?? (innerEncoded(signed) === innerEncoded(proposed) ? undefined : 'unexpected_tx');
}
