/**
 * The node's WebSocket idle timeout: cowboy_websocket's `idle_timeout`, which the channel endpoint
 * leaves at cowboy's default of a minute (aehttp_app `start_channel_websocket/0`). Only what the
 * client sends restarts the clock, control frames included; what the node sends does not. When it
 * runs out the node sends a close frame with code 1000 and no reason (cowboy_websocket
 * `websocket_send_close/2`) and closes the socket; here the guard waits for the client's close
 * frame first, up to the handshake timeout, before the session counts the client gone.
 */
import type { ConnectionGuard } from './guard.js';
import { CloseCode } from './guard.js';

/** cowboy's default `idle_timeout` for WebSockets. */
export const IDLE_TIMEOUT_MS = 60_000;

/** Closes the guarded socket once `ms` pass without a frame from the client. */
export function closeWhenIdle(guard: ConnectionGuard, ms: number): void {
  const { ws } = guard;
  // A client the node is not reading (held to its rate or backlog) is not idle: its frames wait in TCP.
  const timer = setTimeout(() => (guard.reading.paused ? timer.refresh() : guard.shut(CloseCode.NORMAL, '', false)), ms);
  const restart = (): void => void timer.refresh();
  ws.on('message', restart);
  ws.on('ping', restart);
  ws.on('pong', restart);
  ws.on('close', () => clearTimeout(timer));
}
