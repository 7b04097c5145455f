/** Checks of the txs clients sign and peers send (aesc_fsm `verify_signatures/3`, `check_tx_if_expected/3`). */
import { buildTx, Tag, unpackTx, verifyTx, type Encoded, type UnsignedTx } from '@ch/codec';

/** The tx inside the signed-tx wrapper (or the tx itself if it is not wrapped). */
export function innerTx(tx: Encoded<'tx'>): UnsignedTx {
  const outer = unpackTx(tx);
  return outer.tag === Tag.SignedTx ? outer.encodedTx : outer;
}

/** True if every one of `accounts` signed `tx` under `networkId`, in the raw or the hashed form. */
export function signedByAll(tx: Encoded<'tx'>, networkId: string, accounts: readonly Encoded<'ak'>[]): boolean {
  try {
    const { signers } = verifyTx(tx, networkId, accounts);
    return accounts.every((account) => signers.includes(account));
  } catch {
    return false;
  }
}

/** Whether two (signed) txs wrap the same transaction. */
export function sameTx(a: Encoded<'tx'>, b: Encoded<'tx'>): boolean {
  try {
    return buildTx(innerTx(a)) === buildTx(innerTx(b));
  } catch {
    return false;
  }
}

/**
 * Why a signed tx is not the one the FSM asked its client to sign, named as the node's errors:
 * the channel, round and state hash must be those proposed, and the tx of the same kind.
 */
export function unexpectedTx(signed: Encoded<'tx'>, proposed: Encoded<'tx'>): string | undefined {
  let tx: UnsignedTx;
  try {
    tx = innerTx(signed);
  } catch {
    return 'bad_tx_serialization';
  }
  const old = innerTx(proposed);
  if (tx.tag !== old.tag) return old.tag === Tag.ChannelOffChainTx ? 'not_offchain_tx' : 'unexpected_tx_type';
  if ('channelId' in old && 'channelId' in tx && tx.channelId !== old.channelId) return 'different_channel_id';
  if ('round' in old && 'round' in tx && tx.round !== old.round) return 'wrong_round';
  if ('stateHash' in old && 'stateHash' in tx && tx.stateHash !== old.stateHash) return 'bad_state_hash';
  return buildTx(tx) === buildTx(old) ? undefined : 'unexpected_tx';
}
