/**
 * The protocol's field types: API-encoded strings checked down to their checksum, integers as
 * `bigint`, and the data code the node answers each broken field with (sc_ws_api_jsonrpc.erl
 * `broken_encoding_code/1`, `assert_integer/1`).
 */
import { BoundedCache, decode, type Encoded, type Prefix } from '@ch/codec';
import { DataCode, isValidAbortCode } from './catalogue.js';
import type { Fault } from './errors.js';
import { array, coded, describe, integer, INVALID, smallInteger, string, type Schema } from './schema.js';

/**
 * Strings already found valid. The same channel ids and accounts recur in nearly every message,
 * and the same tx in several (a co-signed state goes to both parties), while a base58 or base64
 * decode with its double sha256 costs far more than a lookup. Bounded by count and by length
 * (4 MiB of strings at most).
 */
const verified = new BoundedCache<true>(4096);
const MAX_CACHED_LENGTH = 1024;

/** A `prefix_…` string whose prefix, checksum and (for keys and hashes) payload size are right. */
export function encoded<const P extends Prefix>(...prefixes: P[]): Schema<Encoded<P>> {
  const expected = `an encoded ${prefixes.map((p) => `${p}_`).join(' or ')} string`;
  return {
    expected,
    read(v, path, faults: Fault[]) {
      if (typeof v !== 'string') {
        faults.push({ path, expected, got: describe(v) });
        return INVALID;
      }
      const check = () => (decode(v, prefixes), true as const);
      try {
        // The cache holds strings of every prefix, so only one of ours may be looked up there.
        if (v.length <= MAX_CACHED_LENGTH && (prefixes as string[]).includes(v.slice(0, 2))) verified.get(v, check);
        else check();
        return v as Encoded<P>;
      } catch (e) {
        faults.push({ path, expected, got: `${describe(v)} (${(e as Error).message})` });
        return INVALID;
      }
    },
  };
}

export const accountId = coded(DataCode.BROKEN_ACCOUNT_PUBKEY, encoded('ak'));
export const contractId = coded(DataCode.BROKEN_CONTRACT_PUBKEY, encoded('ct'));
/** Contract code, call data and return values. */
export const bytearray = coded(DataCode.BROKEN_CONTRACT_BYTEARRAY, encoded('cb'));
export const transaction = coded(DataCode.BROKEN_TRANSACTION, encoded('tx'));
export const channelId = encoded('ch');
export const txHash = encoded('th');
export const blockHash = encoded('kh', 'mh');
/** The id of the node's channel FSM, needed to reestablish a channel. */
export const fsmId = encoded('ba');

/** Token amounts, fees, deposits, gas: any integer, as `bigint`. */
export const amount = coded(DataCode.NOT_A_NUMBER, integer);
/** Off-chain rounds, nonces and heights, as `bigint`. */
export const counter = coded(DataCode.NOT_A_NUMBER, integer);
/** `abi_version` / `vm_version`. */
export const version = coded(DataCode.NOT_A_NUMBER, smallInteger);
export const meta = coded(DataCode.INVALID_META, array(string));

/** `{"error": N}` in a sign reply: an integer in 1..65535. */
export const abortCode: Schema<number> = coded(DataCode.INVALID_ERROR_CODE, {
  expected: 'an abort code (an integer in 1..65535)',
  read(v, path, faults) {
    if (Number.isSafeInteger(v) && isValidAbortCode(v as number)) return v as number;
    faults.push({ path, expected: 'an abort code (an integer in 1..65535)', got: describe(v) });
    return INVALID;
  },
});
