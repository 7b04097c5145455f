/**
 * Sizes the node holds every connection to, in one place: the WebSocket layer caps frames with
 * them, the FSM caps what it forwards so the notification still fits the receiving client.
 */

/**
 * The largest WebSocket frame the node takes or sends by default. The largest message of the
 * recorded transcripts is about 5.4 KB; the largest in-band message (below) notified with every
 * byte JSON-escaped is under 400 KB. Far below ws's 100 MiB.
 */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** The most bytes of `info` one `channels.message` may carry (aesc_codec `max_inband_msg_size/0`). */
export const MAX_INBAND_MSG_BYTES = 65_000;

/**
 * A bound on the `channels.message` notification around its JSON-escaped info: the method, the
 * channel id twice and the two accounts come to about 350 bytes.
 */
export const INBAND_ENVELOPE_BYTES = 512;
