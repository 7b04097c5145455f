/**
 * The node's error vocabulary as typed constants: JSON-RPC error codes, the data codes inside
 * `error.data`, the conflict codes of `channels.conflict`, and the abort-code range. Messages are
 * the node's exact strings (spec/protocol-facts.md §3.3–3.4, checked against every recorded reply).
 */

/** Top-level `error.code` values the node sends (sc_ws_api_jsonrpc.erl `error_msgs/0`). */
export const JsonRpcErrorCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32000,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  UNAUTHORIZED: 1,
  ACTION_NOT_ALLOWED: 2,
  REJECTED: 3,
} as const;
export type JsonRpcErrorCode = (typeof JsonRpcErrorCode)[keyof typeof JsonRpcErrorCode];

export const JSON_RPC_ERROR_MESSAGES: { readonly [C in JsonRpcErrorCode]: string } = {
  [-32700]: 'Parse error',
  [-32000]: 'Invalid request',
  [-32601]: 'Method not found',
  [-32602]: 'Invalid params',
  [-32603]: 'Internal error',
  1: 'Unauthorized',
  2: 'Action not allowed',
  3: 'Rejected',
};

/** `error.data[].code` values. All but 1012 come with top-level code 3 "Rejected". */
export const DataCode = {
  NOT_FOUND: 100,
  REQUIRES_COIN: 101,
  GAS_TOO_LOW: 102,
  GAS_LIMIT_EXCEEDED: 103,
  REJECTED: 104,
  VALUE_TOO_LOW: 105,
  TIMEOUT: 106,
  CONFLICT: 107,
  NOT_READY: 108,
  INSUFFICIENT_BALANCE: 1001,
  NEGATIVE_AMOUNT: 1002,
  INVALID_PUBKEYS: 1003,
  CALL_NOT_FOUND: 1004,
  BROKEN_ACCOUNT_PUBKEY: 1005,
  BROKEN_CONTRACT_PUBKEY: 1006,
  CONTRACT_INIT_FAILED: 1007,
  NOT_A_NUMBER: 1008,
  BROKEN_CONTRACT_BYTEARRAY: 1009,
  BROKEN_TRANSACTION: 1010,
  PARTICIPANT_NOT_FOUND: 1011,
  OFFCHAIN_TX_EXPECTED: 1012,
  TX_ALREADY_ONCHAIN: 1013,
  INVALID_META: 1014,
  INVALID_ERROR_CODE: 1015,
  INVALID_FSM_ID: 1016,
  BAD_SIGNATURE: 1017,
  NOT_ALLOWED_NOW: 1018,
  ABI_VERSION_MISMATCH: 1019,
  VM_VERSION_MISMATCH: 1020,
  MISSING_FIELD: 2000,
} as const;
export type DataCode = (typeof DataCode)[keyof typeof DataCode];

export const DATA_CODE_MESSAGES: { readonly [C in DataCode]: string } = {
  100: "X doesn't exist",
  101: 'Requires coin',
  102: 'Gas too low',
  103: 'Gas limit exceeded',
  104: 'Rejected',
  105: 'Value too low',
  106: 'Timeout',
  107: 'Conflict',
  108: 'Not ready',
  1001: 'Insufficient balance',
  1002: 'Negative amount',
  1003: 'Invalid pubkeys',
  1004: 'Call not found',
  1005: 'Broken encoding: account pubkey',
  1006: 'Broken encoding: contract pubkey',
  1007: 'Contract init failed',
  1008: 'Not a number',
  1009: 'Broken encoding: contract bytearray',
  1010: 'Broken encoding: transaction',
  1011: 'Participant not found',
  1012: 'Offchain tx expected',
  1013: 'Tx already on-chain',
  1014: 'Invalid meta object',
  // Sent by the 2019 node only; later nodes answer an invalid abort code with -32603.
  1015: 'Invalid error code (expect 1...65535)',
  1016: 'Invalid fsm id',
  1017: 'Bad signature',
  1018: 'Not allowed at current channel state',
  1019: 'ABI version mismatch',
  1020: 'VM version mismatch',
  2000: 'Missing field: existing_fsm_id',
};

/** `error_code` values of `channels.conflict` (aesc_codec.hrl); 128–65535 are the clients' own abort codes. */
export const ConflictCode = {
  VALIDATION_ERROR: 1,
  CONFLICT: 2,
  TIMEOUT: 3,
  ABORT: 4,
  /** Deposit or withdrawal rejected on-chain; nodes before January 2020 report it as "unknown". */
  REJECTED_ON_CHAIN: 5,
} as const;
export type ConflictCode = (typeof ConflictCode)[keyof typeof ConflictCode];

export const CONFLICT_MESSAGES = ['validation error', 'conflict', 'timeout', 'abort', 'rejected on-chain', 'user-defined', 'unknown'] as const;
export type ConflictMessage = (typeof CONFLICT_MESSAGES)[number];

/** First of the codes a client may pick for itself; the node calls them "user-defined". */
export const USER_DEFINED_CONFLICT_CODE = 128;

/** The node's `error_msg` for a conflict code (aesc_fsm `error_code_to_msg/1`). */
export function conflictMessage(code: number): ConflictMessage {
  if (Number.isInteger(code) && code >= ConflictCode.VALIDATION_ERROR && code <= ConflictCode.REJECTED_ON_CHAIN) {
    return CONFLICT_MESSAGES[code - 1] as ConflictMessage;
  }
  return isValidAbortCode(code) && code >= USER_DEFINED_CONFLICT_CODE ? 'user-defined' : 'unknown';
}

/** Codes a client may send as `{"error": N}` to abort a signing request. */
export const ABORT_CODE_MIN = 1;
export const ABORT_CODE_MAX = 0xffff;

/** True for an integer in 1..65535, the range the node accepts as an abort code. */
export function isValidAbortCode(code: number | bigint): boolean {
  const n = typeof code === 'bigint' ? code : Number.isInteger(code) ? BigInt(code) : undefined;
  return n !== undefined && n >= ABORT_CODE_MIN && n <= ABORT_CODE_MAX;
}
