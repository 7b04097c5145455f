/**
 * The wire, as the seed transcript shows it: every message between a client and the node, in the
 * order this process saw them, tapped from the client's WebSocket transport.
 */
import { connectWebSocket, type Role, type TransportFactory } from '@ch/client';
import { parseJson, type JsonValue } from '@ch/rpc';

/** `send`: client → node; `recv`: node → client; `close`: the client closes its WebSocket. */
export type Direction = 'send' | 'recv' | 'close';

export interface WireEntry {
  readonly actor: Role;
  readonly dir: Direction;
  /** Absent for `close`. */
  readonly message?: JsonValue;
}

export class Recorder {
  readonly entries: WireEntry[] = [];
  /** While false, messages pass untranscribed (a scenario's setup steps). */
  recording = true;
  #listeners: ((entry: WireEntry) => void)[] = [];
  #lastActivity = Date.now();

  /** Called with every entry as it is recorded (the live transcript). */
  onEntry(listener: (entry: WireEntry) => void): void {
    this.#listeners.push(listener);
  }

  record(entry: WireEntry): void {
    this.#lastActivity = Date.now();
    if (!this.recording) return;
    this.entries.push(entry);
    for (const listener of this.#listeners) listener(entry);
  }

  /**
   * Resolves once nothing crossed the wire for `ms`. A step ends with this, so reports the node
   * sends after an operation settled (the 2019 node's second conflict report) belong to it.
   */
  async quiet(ms: number): Promise<void> {
    for (;;) {
      const left = this.#lastActivity + ms - Date.now();
      if (left <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, left));
    }
  }

  /** The transport of one party: `connectWebSocket` with both directions recorded. */
  tap(actor: Role, connect: TransportFactory = connectWebSocket): TransportFactory {
    const read = (text: string): JsonValue => {
      try {
        return parseJson(text);
      } catch {
        return text; // shown as received; the client reports what it makes of it
      }
    };
    return async (url, handlers, timeoutMs) => {
      let open = true;
      const transport = await connect(
        url,
        {
          onMessage: (text) => {
            this.record({ actor, dir: 'recv', message: read(text) });
            handlers.onMessage(text);
          },
          onClose: (code, reason) => {
            open = false;
            handlers.onClose(code, reason);
          },
        },
        timeoutMs,
      );
      return {
        send: (text) => {
          this.record({ actor, dir: 'send', message: read(text) });
          transport.send(text);
        },
        close: () => {
          if (open) this.record({ actor, dir: 'close' });
          open = false;
          transport.close();
        },
      };
    };
  }
}
