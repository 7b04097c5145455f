/**
 * What one connection may cost the node, as options of `startNode` and `ch-node`. The real node
 * gives each connection its own process and caps channel clients (`channels.max_count`); on one
 * event loop every connection must be held to these so that none can stall or exhaust the others.
 */
import { DEFAULT_MAX_FRAME_BYTES } from '../limits.js';
import { IDLE_TIMEOUT_MS } from './idle-timeout.js';

/**
 * The `meta` of one update, deposit or withdraw: the node takes any list of strings
 * (sc_ws_api_jsonrpc `meta_param/0`), but each entry becomes an update of the off-chain tx both
 * peers sign and exchange as noise messages of at most 65,535 bytes, so more could never be
 * co-signed there. Beyond either cap the request is answered 1014 "Invalid meta object".
 */
export const MAX_META_ENTRIES = 64;
export const MAX_META_BYTES = 64 * 1024;

/**
 * Ids one `channels.get.balances` or `channels.get.poi` may name: the node takes any list, but each
 * id costs a checksum to check, so a frame of 19,000 of them blocked the loop for ~57 ms. Beyond it
 * the request is answered -32000 "Invalid request".
 */
export const MAX_QUERY_IDS = 1024;

export interface ConnectionLimits {
  /** The largest WebSocket message taken (1009 beyond it). */
  readonly maxFrameBytes: number;
  /**
   * Frames one message may be fragmented into (1008 beyond it): the rates count messages, so
   * without it a message of thousands of empty fragments would cost the node thousands of frames.
   */
  readonly maxFragments: number;
  /** The deepest nesting of JSON arrays and objects in a message (1009 beyond it). */
  readonly maxJsonDepth: number;
  /** The most digits in a row of one JSON number literal (1009 beyond it). */
  readonly maxIntegerDigits: number;
  /** Frames (data and control) per second one connection may keep sending… */
  readonly messagesPerSecond: number;
  /** …after a burst of this many; beyond it the node reads no more from that connection until the rate allows. */
  readonly messageBurst: number;
  /** Bytes of frames per second one connection may keep sending… */
  readonly bytesPerSecond: number;
  /** …after a burst of this many; beyond it reading pauses as for the message rate. */
  readonly byteBurst: number;
  /**
   * Bytes of a client's messages waiting to be handled (its session handles one at a time, and its
   * FSM may hold one back); beyond it the node reads no more from that client until half are handled.
   */
  readonly maxBacklogBytes: number;
  /** Calls in one batch (a JSON array); a bigger batch is answered -32000 "Invalid request" as a whole. */
  readonly maxBatchCalls: number;
  /** Bytes the node may hold unsent for a client that does not read (1008 beyond it). */
  readonly maxBufferedBytes: number;
  /** TCP connections open at once, upgraded or not; more are destroyed on arrival. */
  readonly maxConnections: number;
  /** Connections still before the WebSocket upgrade; beyond this a new one evicts the oldest that has sent nothing (else the oldest). */
  readonly maxPendingConnections: number;
  /** Sessions with a channel at once (`channels.max_count`); a new channel beyond it is refused (1013). */
  readonly maxSessions: number;
  /** A connection that has not completed the WebSocket upgrade by then is destroyed; so is one that leaves a close unanswered. */
  readonly handshakeTimeoutMs: number;
  /** A client that sends no frame for this long is closed with 1000 (cowboy's minute). */
  readonly idleTimeoutMs: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  // Clients send each message in one frame; a library that fragments at 16 KiB stays under it up to 1 MiB.
  maxFragments: 64,
  maxJsonDepth: 64,
  // A u256 has 78 digits, request ids 19.
  maxIntegerDigits: 100,
  // Held to, not closed at: the conflict storm's 10,000 requests at once (under 1 MB) are served
  // at this rate; a flood is slowed to it without other channels noticing (isolation.test.ts).
  messagesPerSecond: 5_000,
  messageBurst: 1_000,
  bytesPerSecond: 8 * DEFAULT_MAX_FRAME_BYTES,
  byteBurst: 16 * DEFAULT_MAX_FRAME_BYTES,
  // Above the conflict storm's 10,000 requests at once from each side (under 1 MB).
  maxBacklogBytes: 4 * DEFAULT_MAX_FRAME_BYTES,
  maxBatchCalls: 100,
  maxBufferedBytes: 8 * DEFAULT_MAX_FRAME_BYTES,
  maxConnections: 4096,
  maxPendingConnections: 256,
  maxSessions: 1000,
  handshakeTimeoutMs: 10_000,
  idleTimeoutMs: IDLE_TIMEOUT_MS,
};

/** The defaults with `given` over them; throws a RangeError naming a limit that is not a positive integer. */
export function connectionLimits(given: Partial<ConnectionLimits> = {}): ConnectionLimits {
  const limits: { -readonly [K in keyof ConnectionLimits]: number } = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(given) as [keyof ConnectionLimits, unknown][]) {
    if (!(key in DEFAULT_LIMITS)) throw new RangeError(`unknown limit ${key}`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer, got ${String(value)}`);
    limits[key] = value;
  }
  if (limits.maxPendingConnections > limits.maxConnections) throw new RangeError('maxPendingConnections must not exceed maxConnections');
  return limits;
}
