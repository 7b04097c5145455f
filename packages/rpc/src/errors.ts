/**
 * Every failure of `@ch/rpc` is an `RpcError` with a stable string `code`.
 * Codes are never renamed or removed; new ones are only added.
 */
import type { DataCode } from './catalogue.js';
import type { JsonValue } from './json.js';

export const RpcErrorCode = {
  /** The text is not JSON. The node answers -32700 "Parse error". */
  PARSE_ERROR: 'RPC_PARSE_ERROR',
  /** JSON, but not a JSON-RPC 2.0 message of the expected direction. The node answers -32000. */
  INVALID_REQUEST: 'RPC_INVALID_REQUEST',
  /** A `method` this direction does not have. The node answers -32601 "Method not found". */
  UNKNOWN_METHOD: 'RPC_UNKNOWN_METHOD',
  /** A known method with params that do not fit it. The node answers 3 "Rejected" with data codes. */
  INVALID_PARAMS: 'RPC_INVALID_PARAMS',
  /** A reply whose `result` does not fit the method it answers. */
  INVALID_RESULT: 'RPC_INVALID_RESULT',
  /** A value JSON cannot carry was given to a serialiser. */
  NOT_SERIALIZABLE: 'RPC_NOT_SERIALIZABLE',
} as const;
export type RpcErrorCode = (typeof RpcErrorCode)[keyof typeof RpcErrorCode];

/** One thing wrong with a value: where, what was expected, what arrived, and the node's data code for it. */
export interface Fault {
  /** JSON path from the message root, e.g. `params.accounts[1]`. */
  readonly path: string;
  readonly expected: string;
  readonly got: string;
  /** The data code the node answers this fault with (`1008` "Not a number", …), where it has one. */
  readonly dataCode?: DataCode;
}

export interface RpcErrorOptions {
  readonly path?: string;
  readonly faults?: readonly Fault[];
  /** The JSON-RPC id of the offending message, when it had one. */
  readonly id?: bigint | string;
  /** The offending message as parsed, when it was JSON (the node echoes it as `error.request`). */
  readonly request?: JsonValue;
  /** The message's method, when it had one. */
  readonly method?: string;
  readonly cause?: unknown;
}

export class RpcError extends Error {
  override readonly name = 'RpcError';
  /** Stable machine-readable code. */
  readonly code: RpcErrorCode;
  /** Where the (first) fault is, as a JSON path like `params.amount`. */
  readonly path: string | undefined;
  /** Every fault found, in document order (empty for parse errors). */
  readonly faults: readonly Fault[];
  readonly id: bigint | string | undefined;
  readonly request: JsonValue | undefined;
  readonly method: string | undefined;

  constructor(code: RpcErrorCode, message: string, options: RpcErrorOptions = {}) {
    const where = options.path ? ` (at ${options.path})` : '';
    super(`${message}${where}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.faults = options.faults ?? [];
    this.id = options.id;
    this.request = options.request;
    this.method = options.method;
  }

  /** The node's data codes for the faults, each once, in order of first appearance. */
  get dataCodes(): DataCode[] {
    const codes: DataCode[] = [];
    for (const f of this.faults) if (f.dataCode !== undefined && !codes.includes(f.dataCode)) codes.push(f.dataCode);
    return codes;
  }

  /** Builds the error for a list of faults: its message names the first and counts the rest. */
  static fromFaults(code: RpcErrorCode, faults: readonly Fault[], options: Omit<RpcErrorOptions, 'faults' | 'path'> = {}): RpcError {
    const [first, ...rest] = faults;
    if (!first) return new RpcError(code, 'invalid message', options);
    const more = rest.length ? ` (and ${rest.length} more fault${rest.length > 1 ? 's' : ''})` : '';
    return new RpcError(code, `expected ${first.expected}, got ${first.got}${more}`, { ...options, path: first.path, faults });
  }
}

/** Narrowing guard: `isRpcError(e, RpcErrorCode.INVALID_PARAMS)`. */
export function isRpcError(e: unknown, code?: RpcErrorCode): e is RpcError {
  return e instanceof RpcError && (code === undefined || e.code === code);
}
