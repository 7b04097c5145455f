/**
 * Keep-alive: the node drops a client after a minute without a frame from it (cowboy's WebSocket
 * idle timeout), and so do many proxies. After `intervalMs` without a frame sent, the client pings
 * (`channels.system` `{ action: 'ping' }`, a data frame, as the node expects: browsers cannot send
 * control frames); a pong missing after `timeoutMs` counts as a lost connection: the socket is
 * closed and reported closed, so the channel's unexpected-close path runs.
 */
import type { TransportFactory } from './transport.js';

export interface KeepAliveOptions {
  /** How long the connection may go without a frame from this client before it pings. */
  readonly intervalMs: number;
  /** How long a ping may wait for its pong before the connection counts as lost. */
  readonly timeoutMs: number;
}

/** Every 10 s of silence, as aepp-sdk-js; well inside the node's minute. */
export const DEFAULT_KEEP_ALIVE: KeepAliveOptions = { intervalMs: 10_000, timeoutMs: 10_000 };

/** The close code reported when the pong is missing: 1006, a connection lost without a close frame. */
export const NO_PONG_CLOSE_CODE = 1006;

/** The options as given (`false` turns keep-alive off), completed with the defaults. */
export function keepAliveOptions(given: Partial<KeepAliveOptions> | false | undefined): KeepAliveOptions | false {
  return given === false ? false : { ...DEFAULT_KEEP_ALIVE, ...given };
}

/**
 * `connect` with keep-alive on the transports it opens. `ping` sends the ping and resolves on its
 * pong (its rejections are ignored: the missing pong is what counts).
 */
export function withKeepAlive(connect: TransportFactory, options: KeepAliveOptions | false, ping: (timeoutMs: number) => Promise<unknown>): TransportFactory {
  if (options === false) return connect;
  const { intervalMs, timeoutMs } = options;
  return async (url, handlers, connectTimeoutMs) => {
    let lastSent = 0;
    let stopped = false;
    let reported = false;
    let idle: ReturnType<typeof setTimeout> | undefined;
    let pong: ReturnType<typeof setTimeout> | undefined;
    const stop = (): void => {
      stopped = true;
      clearTimeout(idle);
      clearTimeout(pong);
    };
    const report = (code: number, reason: string): void => {
      if (reported) return;
      reported = true;
      stop();
      handlers.onClose(code, reason);
    };
    const transport = await connect(url, { onMessage: (text) => handlers.onMessage(text), onClose: report }, connectTimeoutMs);
    lastSent = Date.now();
    // Sending is what keeps the node's idle clock from running out: the timer waits for silence.
    const schedule = (): void => {
      idle = setTimeout(check, intervalMs - (Date.now() - lastSent));
    };
    const check = (): void => {
      if (stopped) return;
      if (Date.now() - lastSent < intervalMs) return schedule();
      pong = setTimeout(() => {
        transport.close();
        report(NO_PONG_CLOSE_CODE, `no pong to the keep-alive ping within ${timeoutMs} ms`);
      }, timeoutMs);
      ping(timeoutMs).then(() => {
        clearTimeout(pong);
        if (!stopped) schedule();
      }, () => undefined);
    };
    if (!stopped) schedule();
    return {
      send: (text) => {
        lastSent = Date.now();
        transport.send(text);
      },
      close: () => {
        stop();
        transport.close();
      },
    };
  };
}
