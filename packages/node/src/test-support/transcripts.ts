/** Reading the vendored transcripts, and the shape of a message the tests compare on. */
import { readFileSync } from 'node:fs';
import { parseJson } from '@ch/rpc';
import type { Json } from './client.js';
import { transcriptPath } from '../../../../tools/fixtures.mjs';

export type Actor = 'initiator' | 'responder';

export interface Step {
  index?: number;
  actor: Actor;
  dir: 'send' | 'recv' | 'event';
  /** For events: ws_open, ws_close or info. */
  event?: string;
  /** For ws_open: the opening URL's query. */
  query?: Record<string, string>;
  message?: Json | null;
  /** For a request: the step of its reply. */
  reply_step?: number;
}

export function loadTranscript(path: string): Step[] {
  const t = parseJson(readFileSync(transcriptPath(path), 'utf8')) as unknown as { steps: Step[] };
  return t.steps;
}

/**
 * What must match between the node's messages and a transcript's: the method (or reply/error),
 * the info event or on-chain info, and for conflicts and errors their codes and round.
 */
export function shape(m: Json): string {
  const params = m.params as Json | undefined;
  const data = params?.data as Json | undefined;
  if (m.error !== undefined) {
    const e = m.error as Json;
    return `error ${e.code} ${((e.data as Json[] | undefined) ?? []).map((d) => d.code).join(',')}`;
  }
  if (m.result !== undefined) return `reply ${Array.isArray(m.result) ? 'list' : typeof m.result === 'string' ? m.result : 'object'}`;
  switch (m.method) {
    case 'channels.info':
      return `info ${data?.event}`;
    case 'channels.on_chain_tx':
      return `on_chain_tx ${data?.info}`;
    case 'channels.conflict':
      return `conflict ${data?.error_code} ${data?.error_msg} ${data?.round}`;
    default:
      return String(m.method);
  }
}

/** The node's messages to `actor` in `steps`, as shapes. */
export function received(steps: readonly Step[], actor: Actor): string[] {
  return steps.filter((s) => s.actor === actor && s.dir === 'recv' && s.message).map((s) => shape(s.message!));
}
