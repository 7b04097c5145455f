/**
 * Whether the node reads a connection's socket. More than one part may want it paused at once
 * (the rates, a session's backlog, a close for a violation): reading resumes only when none does,
 * so one part resuming never undoes another's pause.
 */
import type { WebSocket } from 'ws';

export type PauseReason = 'rate' | 'backlog' | 'closing';

export class ReadPause {
  readonly #reasons = new Set<PauseReason>();

  constructor(readonly ws: Pick<WebSocket, 'pause' | 'resume'>) {}

  get paused(): boolean {
    return this.#reasons.size > 0;
  }

  hold(reason: PauseReason): void {
    if (this.#reasons.size === 0) this.ws.pause();
    this.#reasons.add(reason);
  }

  release(reason: PauseReason): void {
    if (this.#reasons.delete(reason) && this.#reasons.size === 0) this.ws.resume();
  }
}
