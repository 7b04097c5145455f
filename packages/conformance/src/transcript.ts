/**
 * A recorded transcript (`fixtures/transcripts/` format): the steps of both participants in the
 * order the node's test suite logged them. Parsed losslessly: ids near -2^59 and amounts past
 * 2^53 stay exact, so every message can be played back as the very text the node sent.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseJson, type JsonValue } from '@ch/rpc';
import type { Role } from '@ch/client';

export type Json = { [key: string]: JsonValue };

interface StepBase {
  readonly index: number;
  readonly actor: Role;
}

export interface MessageStep extends StepBase {
  readonly dir: 'send' | 'recv';
  readonly kind: 'request' | 'notification' | 'response' | 'error_response';
  readonly message: Json;
  /** For replies: the index of the request they answer. */
  readonly in_reply_to?: number;
}

export interface OpenStep extends StepBase {
  readonly dir: 'event';
  readonly event: 'ws_open';
  readonly url: string;
  readonly query: Record<string, string>;
}

export interface OtherEvent extends StepBase {
  readonly dir: 'event';
  readonly event: 'ws_close' | 'info';
}

export type Step = MessageStep | OpenStep | OtherEvent;

export interface Transcript {
  /** Where the file was read from. */
  readonly path: string;
  readonly source?: string;
  readonly steps: readonly Step[];
}

export function readTranscript(path: string): Transcript {
  const parsed = parseJson(readFileSync(path, 'utf8')) as unknown as { source?: string; steps: Step[] };
  // Indexes are small integers; the lossless parser keeps them as numbers.
  return { path, source: parsed.source, steps: parsed.steps };
}

export const isMessage = (s: Step): s is MessageStep => s.dir === 'send' || s.dir === 'recv';
export const isOpen = (s: Step): s is OpenStep => s.dir === 'event' && s.event === 'ws_open';

export function methodOf(step: MessageStep): string | undefined {
  const method = step.message.method;
  return typeof method === 'string' ? method : undefined;
}

/** Every string with `prefix` (`tx_`, `ak_`…) anywhere in a JSON value. */
export function prefixed(value: JsonValue, prefix: string, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.startsWith(prefix)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) prefixed(v, prefix, out);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) prefixed(v, prefix, out);
  }
  return out;
}

/** Every `.json` file under `dir`, sorted. */
export function transcriptFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...transcriptFiles(path));
    else if (name.endsWith('.json')) out.push(path);
  }
  return out;
}
