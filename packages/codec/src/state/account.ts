/** The account object (tag 10) the accounts tree stores per public key (protocol-facts §1.3). */
import { CodecError, CodecErrorCode } from '../errors.js';
import { asBytes, asList, decodeInt, encodeInt, rlpDecode } from '../rlp.js';
import { chainObject, readChainObject } from './chain-object.js';

const ACCOUNT_TAG = 10;
const ZERO_NONCE = encodeInt(0n);

/**
 * vsn 1, [10, 1, nonce, balance]: the only form off-chain, where accounts are created with nonce 0
 * and flags 0 and nonces never change (even for generalized accounts).
 */
export function serializeAccount(balance: bigint): Uint8Array {
  return chainObject(ACCOUNT_TAG, 1, [ZERO_NONCE, encodeInt(balance)]);
}

/** Field count and balance position per version: 1 plain, 2 generalized, 3 with flags. */
const LAYOUTS: Partial<Record<number, { fields: number; balance: number }>> = {
  1: { fields: 2, balance: 1 },
  2: { fields: 5, balance: 2 },
  3: { fields: 3, balance: 2 },
};

/** The balance of a serialized account of any version. */
export function accountBalance(serialized: Uint8Array): bigint {
  const list = asList(rlpDecode(serialized), 'account');
  const vsn = list.length > 1 ? Number(decodeInt(asBytes(list[1]!, 'account.vsn'))) : 0;
  const layout = LAYOUTS[vsn];
  if (!layout) throw new CodecError(CodecErrorCode.UNKNOWN_VERSION, `account version ${vsn}`, { path: 'account' });
  const fields = readChainObject(list, { tag: ACCOUNT_TAG, vsn, fields: layout.fields, name: 'account' });
  return decodeInt(asBytes(fields[layout.balance]!, 'account.balance'));
}
