/**
 * One WebSocket connection held to its limits: frames and bytes within their rates (a client over
 * them is slowed, see throttle.ts), JSON within depth and number length, and a client that reads
 * what it is sent. A violation closes the connection with
 * a close code and reason, logged once; a peer that leaves the close unanswered (or cannot read it)
 * is cut off after the handshake timeout rather than ws's 30 s.
 */
import type { WebSocket } from 'ws';
import { jsonBreach } from './json-depth.js';
import type { ConnectionLimits } from './limits.js';
import { ReadPause } from './pause.js';
import { Throttle } from './throttle.js';

/** WebSocket close codes (RFC 6455 §7.4.1). */
export const CloseCode = { NORMAL: 1000, POLICY: 1008, TOO_BIG: 1009, TRY_AGAIN_LATER: 1013 } as const;

export class ConnectionGuard {
  /** Reading the socket: paused by the rates, the session's backlog, or a close for a violation. */
  readonly reading: ReadPause;
  readonly #throttle: Throttle;
  #closing = false;

  constructor(
    readonly ws: WebSocket,
    readonly limits: ConnectionLimits,
    readonly log: (line: string) => void,
    readonly peer: string,
  ) {
    this.reading = new ReadPause(ws);
    this.#throttle = new Throttle(this.reading, limits);
    // Counted while closing too: a connection waiting for its close frame is read no faster.
    const frame = (data: Buffer): void => this.#throttle.count(data.length);
    ws.on('ping', frame);
    ws.on('pong', frame);
    ws.once('close', () => this.#throttle.stop());
    // ws has already started the close with the code the fault calls for (1002, 1007, 1009).
    ws.on('error', (e: Error & { code?: string }) => this.#closed(`${e.code ?? 'error'}: ${e.message}`));
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** A data message of `bytes`: `handle` runs when the rates allow, unless the connection is closing by then. */
  deliver(bytes: number, handle: () => void): void {
    if (this.#closing) return this.#throttle.count(bytes);
    const held = this.#throttle.deliver(bytes, () => {
      if (this.#readsEnough()) handle();
    });
    if (!held) this.shut(CloseCode.POLICY, `over ${this.#throttle.maxHeld} frames waiting for the message rate`);
  }

  /** A text message to parse: false if it is too deep or holds too long a number (the connection is then closing). */
  acceptText(text: string): boolean {
    const breach = jsonBreach(text, this.limits.maxJsonDepth, this.limits.maxIntegerDigits);
    if (breach === undefined) return true;
    this.shut(CloseCode.TOO_BIG, breach === 'depth' ? `JSON nested deeper than ${this.limits.maxJsonDepth}` : `number longer than ${this.limits.maxIntegerDigits} digits`);
    return false;
  }

  send(text: string): void {
    if (this.#closing) return;
    this.ws.send(text);
    this.#readsEnough();
  }

  /** Closes with `code` and `reason`; a violation (`violation`) is logged and no more is read from the peer. */
  shut(code: number, reason: string, violation = true): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#throttle.drop();
    this.ws.close(code, reason);
    if (violation) {
      this.log(`${this.peer}: ${reason}, closed with ${code}`);
      this.reading.hold('closing');
    }
    this.#cutOffLater();
  }

  #readsEnough(): boolean {
    if (this.ws.bufferedAmount <= this.limits.maxBufferedBytes) return true;
    this.shut(CloseCode.POLICY, `client does not read (${this.ws.bufferedAmount} bytes unsent)`);
    return false;
  }

  #closed(reason: string): void {
    if (this.#closing) return;
    this.log(`${this.peer}: ${reason}, closed`);
    this.#closing = true;
    this.#throttle.drop();
    this.#cutOffLater();
  }

  #cutOffLater(): void {
    const timer = setTimeout(() => this.ws.terminate(), this.limits.handshakeTimeoutMs);
    this.ws.once('close', () => clearTimeout(timer));
  }
}
