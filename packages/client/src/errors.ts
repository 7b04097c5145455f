/**
 * Every failure the client reports is a `ChannelError` with a stable `kind`; kinds are never
 * renamed or removed. The subclasses carry what a caller needs to react: the conflict's code and
 * round, the node's JSON-RPC error with its data, the abort code of a refused signature.
 */
import { DataCode, type ErrorData } from '@ch/rpc';

export const ChannelErrorKind = {
  /** The node reported `channels.conflict` (or `aborted_update`) for the operation: it fell back to `round`. */
  CONFLICT: 'conflict',
  /** The node answered the request with a JSON-RPC error. */
  RPC: 'rpc',
  /** No answer within the configured client-side timeout. */
  TIMEOUT: 'timeout',
  /** The WebSocket closed (or the node's channel process died) before the operation settled. */
  DISCONNECTED: 'disconnected',
  /** This client refused to sign: the tx failed a check. The node was sent the abort code. */
  REFUSED: 'refused',
  /** The node sent something the protocol does not allow here. */
  PROTOCOL: 'protocol',
  /** The operation is not possible in the channel's current status. */
  NOT_ALLOWED: 'not_allowed',
  /** The store failed to save a co-signed state; the client stops rather than sign without a record. */
  STORE: 'store',
  /** An event listener threw. */
  LISTENER: 'listener',
  /** An option of `Channel.open`, `Channel.reestablish` or `secretKeySigner` is not valid; nothing was sent. */
  INVALID_OPTION: 'invalid_option',
  /** The node reported a failure the session does not survive (`channels.error`, or an `info` naming why its channel process ended). */
  NODE_REPORT: 'node_report',
} as const;
export type ChannelErrorKind = (typeof ChannelErrorKind)[keyof typeof ChannelErrorKind];

export class ChannelError extends Error {
  override name = 'ChannelError';
  readonly kind: ChannelErrorKind;

  constructor(kind: ChannelErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
  }
}

/**
 * An update the node fell back from: `round` is the last co-signed round, `code` the node's
 * conflict code (2 for a race, 1..5 the node's own, 128..65535 a client's abort code).
 * `aborted` is true when this client's own signer refused (the node then reports the client's code).
 */
export class ConflictError extends ChannelError {
  override name = 'ConflictError';
  readonly round: bigint;
  readonly code: number;
  readonly aborted: boolean;

  constructor(round: bigint, code: number, message: string, aborted = false) {
    super(ChannelErrorKind.CONFLICT, message);
    this.round = round;
    this.code = code;
    this.aborted = aborted;
  }
}

/** The node's JSON-RPC error reply, as sent: `data` is absent when the node sent none. */
export class RpcRequestError extends ChannelError {
  override name = 'RpcRequestError';
  readonly method: string;
  readonly code: number;
  readonly data: readonly ErrorData[] | undefined;

  constructor(method: string, error: { code: number; message: string; data?: readonly ErrorData[] }) {
    const detail = error.data?.length ? ` (${error.data.map((d) => `${d.code} ${d.message}`).join(', ')})` : '';
    const advice = error.data?.map((d) => adviceFor(method, d.code)).find((a) => a !== undefined);
    super(ChannelErrorKind.RPC, `${method}: ${error.code} ${error.message}${detail}${advice ? `: ${advice}` : ''}`);
    this.method = method;
    this.code = error.code;
    this.data = error.data;
  }

  /** Whether the node named data code `code` (1001 "Insufficient balance", …). */
  hasDataCode(code: number): boolean {
    return this.data?.some((d) => d.code === code) ?? false;
  }
}

/** Why a store refused, stable like the kinds: a caller may react to each (`StoreError.code`). */
export const StoreErrorCode = {
  /** Another channel instance of the same party holds the record's lock (in this process or a live other one). */
  LOCKED: 'locked',
  /** The stored record does not check: torn, foreign, tampered, or its signatures or balances do not match its tx. It is not adopted. */
  INVALID: 'invalid',
  /** Both roles' records of the channel are in the store and no role was named: pass `role`. */
  AMBIGUOUS: 'ambiguous',
  /** The store could not read or write (permissions, a full disk, a missing IndexedDB). */
  IO: 'io',
} as const;
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

/** A `store` error with the reason's code. */
export class StoreError extends ChannelError {
  override name = 'StoreError';
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(ChannelErrorKind.STORE, message, options);
    this.code = code;
  }
}

const CLOSING_METHODS = ['channels.shutdown', 'channels.close_solo', 'channels.settle', 'channels.slash', 'channels.snapshot_solo'];

/** What a caller can do about the node's data codes that have an obvious remedy. */
function adviceFor(method: string, code: number): string | undefined {
  if (code === DataCode.INSUFFICIENT_BALANCE && CLOSING_METHODS.includes(method)) return "the close fee exceeds the channel's balances; pass a lower `fee` (or `gasPrice`)";
  if (code === DataCode.PARTICIPANT_NOT_FOUND) return 'the node has no account `initiatorId` or `responderId` on chain; fund it, or check the ids and the node';
  return undefined;
}

/** An option that failed its check before anything was sent; `option` is its path, e.g. `timeouts.open`. */
export class InvalidOptionError extends ChannelError {
  override name = 'InvalidOptionError';
  readonly option: string;

  constructor(option: string, problem: string) {
    super(ChannelErrorKind.INVALID_OPTION, `invalid option \`${option}\`: ${problem}`);
    this.option = option;
  }
}

/**
 * A failure the node reported outside any reply: `report` is its word for it (`bad_signature`,
 * `timeout`, …), as sent in `channels.error` or the `info` event before its channel process ended.
 */
export class NodeReportError extends ChannelError {
  override name = 'NodeReportError';
  readonly report: string;

  constructor(report: string, context: string) {
    super(ChannelErrorKind.NODE_REPORT, `${context}: the node reports ${report}${REPORT_ADVICE[report] ? `; ${REPORT_ADVICE[report]}` : ''}`);
    this.report = report;
  }
}

const REPORT_ADVICE: Readonly<Record<string, string>> = {
  bad_signature: "the node could not verify our signature: check `networkId` (it must be the node's) and that the signer holds this party's key",
  timeout: "the node's channel process timed out waiting (for the peer, a signature or the chain); see `nodeTimeouts`",
};

export class TimeoutError extends ChannelError {
  override name = 'TimeoutError';
  readonly timeoutMs: number;

  constructor(what: string, timeoutMs: number) {
    super(ChannelErrorKind.TIMEOUT, `${what}: no answer within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** A sign request this client refused; `code` is the abort code it sent (see `AbortCode`). */
export class RefusedError extends ChannelError {
  override name = 'RefusedError';
  readonly code: number;
  readonly method: string;

  constructor(method: string, code: number, reason: string) {
    super(ChannelErrorKind.REFUSED, `refused to sign ${method} (abort code ${code}): ${reason}`);
    this.code = code;
    this.method = method;
  }
}

/** Narrowing guard: `isChannelError(e, 'conflict')`. */
export function isChannelError(e: unknown, kind?: ChannelErrorKind): e is ChannelError {
  return e instanceof ChannelError && (kind === undefined || e.kind === kind);
}

/**
 * The abort codes this client sends when it refuses to sign, one per reason. All are in the
 * "user-defined" range (128..65535), so the node reports them back as `user-defined`; pick your
 * own signer's codes outside 128..159 to tell them apart.
 */
export const AbortCode = {
  /** A sign request for nothing this client asked for, or cannot accept now. */
  UNEXPECTED_REQUEST: 128,
  /** The tx is not of the kind the sign request stands for. */
  WRONG_TX_KIND: 129,
  /** The tx is for another channel. */
  WRONG_CHANNEL: 130,
  /** The round is not the last co-signed round + 1. */
  WRONG_ROUND: 131,
  /** The state hash is not the one this client computes for the listed updates. */
  WRONG_STATE_HASH: 132,
  /** The updates are not the ones this client asked for. */
  WRONG_UPDATES: 133,
  /** The updates cannot be applied to the last co-signed state (below the reserve, unknown account…). */
  INVALID_UPDATES: 134,
  /** Contract updates: their state needs the node's VM, so this client cannot check them. */
  UNVERIFIABLE_UPDATES: 135,
  /** An amount of an on-chain tx is not the one asked for, or does not add up. */
  WRONG_AMOUNT: 136,
  /** A party of the tx (initiator, responder, sender) is not the expected one. */
  WRONG_PARTY: 137,
  /** The tx lacks a valid signature of the party that proposed it. */
  MISSING_SIGNATURE: 138,
  /** The tx does not decode. */
  MALFORMED_TX: 139,
  /** The signer threw, timed out, or returned something other than this tx signed by us. */
  SIGNER_FAILED: 140,
  /** The tx would put a state other than our last co-signed one on chain (close, slash, snapshot). */
  WRONG_PAYLOAD: 141,
  /** The store could not record the state this signature would complete, so it is not given. */
  STORE_FAILED: 142,
  /** A fee this client's caller did not set is above what the sign policy allows (`SignPolicy.maxFeeFactor`). */
  FEE_ABOVE_POLICY: 143,
  /** The tx does not carry the on-chain options the caller gave (nonce, fee, gas price, meta). */
  WRONG_OPTIONS: 144,
  /** The tx names an account outside the channel as a delegate. */
  FOREIGN_ACCOUNT: 145,
} as const;
export type AbortCode = (typeof AbortCode)[keyof typeof AbortCode];
