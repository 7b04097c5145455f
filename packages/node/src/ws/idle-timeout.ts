/**
 * The node's WebSocket idle timeout: cowboy_websocket's `idle_timeout`, which the channel endpoint
 * leaves at cowboy's default of a minute (aehttp_app `start_channel_websocket/0`). Only what the
 * client sends restarts the clock, control frames included; what the node sends does not. When it
 * runs out the node sends a close frame with code 1000 and no reason (cowboy_websocket
 * `websocket_send_close/2`) and closes the socket; here `ws` waits for the client's close frame
 * first, up to its 30 s, before the session counts the client gone.
 */
import type { WebSocket } from 'ws';

/** cowboy's default `idle_timeout` for WebSockets. */
export const IDLE_TIMEOUT_MS = 60_000;

/** Closes `ws` once `ms` pass without a frame from the client. */
export function closeWhenIdle(ws: WebSocket, ms: number): void {
  const timer = setTimeout(() => ws.close(1000), ms);
  const restart = (): void => void timer.refresh();
  ws.on('message', restart);
  ws.on('ping', restart);
  ws.on('pong', restart);
  ws.on('close', () => clearTimeout(timer));
}
