/**
 * Every transaction the chain refuses is refused with a `ChainError` carrying a stable string code.
 * Codes are never renamed or removed; new ones are only added. Each notes the node's own reason.
 */
export const ChainErrorCode = {
  /** Not a decodable `tx_` string, or not a signed tx. */
  MALFORMED_TX: 'CHAIN_MALFORMED_TX',
  /** A kind of tx this chain does not run: GA meta (81), force progress, set delegates, name recipients. */
  UNSUPPORTED: 'CHAIN_UNSUPPORTED',
  /** A create tx version the chain's protocol does not take (`invalid_at_protocol`). */
  INVALID_AT_PROTOCOL: 'CHAIN_INVALID_AT_PROTOCOL',
  /** This exact tx is already in the mempool or on chain. */
  DUPLICATE_TX: 'CHAIN_DUPLICATE_TX',
  /** The signatures are not exactly one valid signature per required signer (`signature_check_failed`). */
  BAD_SIGNATURE: 'CHAIN_BAD_SIGNATURE',
  /** The tx nonce is not the account's next one (`tx_nonce_already_used_for_account` / `…too_high…`). */
  BAD_NONCE: 'CHAIN_BAD_NONCE',
  /** The fee pays less than the minimum gas price for the tx's gas (`too_low_fee`, `too_low_gas_price_for_miner`). */
  FEE_TOO_LOW: 'CHAIN_FEE_TOO_LOW',
  /** The tx's ttl is below the height it would be included at (`ttl_expired`). */
  TX_EXPIRED: 'CHAIN_TX_EXPIRED',
  /** An account the tx names does not exist (`account_not_found`). */
  UNKNOWN_ACCOUNT: 'CHAIN_UNKNOWN_ACCOUNT',
  /** The paying account cannot cover fee and amount (`insufficient_funds`). */
  INSUFFICIENT_BALANCE: 'CHAIN_INSUFFICIENT_BALANCE',
  /** No channel with this id (`channel_does_not_exist`). */
  UNKNOWN_CHANNEL: 'CHAIN_UNKNOWN_CHANNEL',
  /** The account is neither participant, nor an allowed delegate (`account_not_peer[_or_delegate]`). */
  NOT_PARTICIPANT: 'CHAIN_NOT_PARTICIPANT',
  /** The channel is solo-closing: refused on a channel that must be active, or settled before `locked_until`. */
  CHANNEL_LOCKED: 'CHAIN_CHANNEL_LOCKED',
  /** Slash and settle need a solo-closing channel (`channel_not_closing`, `channel_not_closed`). */
  CHANNEL_ACTIVE: 'CHAIN_CHANNEL_ACTIVE',
  /** The round is not above the channel's on-chain round (`old_round`, `same_round`). */
  BAD_ROUND: 'CHAIN_BAD_ROUND',
  /** The proof of inclusion does not hash to the state hash it must prove (`invalid_poi_hash[_in_channel]`). */
  BAD_STATE_HASH: 'CHAIN_BAD_STATE_HASH',
  /** The proof lacks a participant or holds more than the channel (`wrong_channel_peers`, `poi_amounts_change_channel_funds`). */
  BAD_POI: 'CHAIN_BAD_POI',
  /** The payload is missing where required, is not a co-signed off-chain tx, or names another channel. */
  BAD_PAYLOAD: 'CHAIN_BAD_PAYLOAD',
  /** Amounts break the channel's rules: reserve, channel funds, final amounts (`wrong_amt`, `not_enough_channel_funds`, …). */
  BAD_AMOUNT: 'CHAIN_BAD_AMOUNT',
} as const;
export type ChainErrorCode = (typeof ChainErrorCode)[keyof typeof ChainErrorCode];

export class ChainError extends Error {
  override readonly name = 'ChainError';
  readonly code: ChainErrorCode;

  constructor(code: ChainErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Narrowing guard: `isChainError(e, ChainErrorCode.BAD_NONCE)`. */
export function isChainError(e: unknown, code?: ChainErrorCode): e is ChainError {
  return e instanceof ChainError && (code === undefined || e.code === code);
}

/** Throws `ChainError(code, message)` unless `condition` holds. */
export function check(condition: boolean, code: ChainErrorCode, message: string): asserts condition {
  if (!condition) throw new ChainError(code, message);
}
