/**
 * The dev node's well-known accounts: key pairs derived from a seed string, so `ch-node` prints
 * the same accounts every run and docs, tests and users can get the same keys in code. Anyone
 * who knows the seed has the keys: for local development only.
 *
 * Account i's 32-byte ed25519 seed is BLAKE2b-256(DOMAIN ‖ 0x00 ‖ uint32be(i) ‖ UTF-8(seed)).
 * The tag keeps these keys apart from any other use of BLAKE2b on the same string; the fixed-width
 * index before the seed keeps the input unambiguous.
 */
import { blake2b256, concatBytes, keyPairFromSecret, utf8, type KeyPair } from '@ch/codec';

/** The seed `ch-node` uses without `--seed`. */
export const DEV_SEED = 'ch-node-dev';
/** How many accounts `ch-node` funds without `--accounts`. */
export const DEV_ACCOUNT_COUNT = 10;
/** What `ch-node` gives each without `--balance`: 1,000,000 AE, enough for any channel with every fee. */
export const DEV_BALANCE = 10n ** 24n;

const DOMAIN = utf8('ch-node/dev-account/v1\0');
// Far past any dev chain's needs, and small enough that the list fits in memory.
const MAX_ACCOUNTS = 100_000;

/** Accounts 0 … count-1 of `seed`. */
export function devAccounts(seed: string = DEV_SEED, count: number = DEV_ACCOUNT_COUNT): KeyPair[] {
  if (!Number.isSafeInteger(count) || count < 0 || count > MAX_ACCOUNTS) throw new RangeError(`count must be an integer from 0 to ${MAX_ACCOUNTS}, got ${count}`);
  const seedBytes = utf8(seed);
  return Array.from({ length: count }, (_, index) => {
    const index32 = new Uint8Array(4);
    new DataView(index32.buffer).setUint32(0, index);
    return keyPairFromSecret(blake2b256(concatBytes(DOMAIN, index32, seedBytes)));
  });
}
