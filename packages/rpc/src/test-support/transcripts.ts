/**
 * Test-only access to the vendored transcripts (fixtures/transcripts). Files are read with
 * lossless-json, an independent parser, so the wire texts the tests feed to `parseMessage` do not
 * depend on this package's own JSON code.
 */
import { readFileSync } from 'node:fs';
import { isLosslessNumber, parse, stringify, type LosslessNumber } from 'lossless-json';
import { transcriptNames, transcriptPath } from '../../../../tools/fixtures.mjs';

export interface Step {
  readonly index: number;
  readonly actor: 'initiator' | 'responder';
  readonly dir: 'send' | 'recv' | 'event';
  readonly kind?: 'request' | 'notification' | 'response' | 'error_response';
  /** The message with its integers as lossless-json's exact numbers. */
  readonly message?: unknown;
  readonly reply_step?: number;
  readonly in_reply_to?: number;
}

type RawStep = Omit<Step, 'index' | 'reply_step' | 'in_reply_to'> & Record<'index' | 'reply_step' | 'in_reply_to', LosslessNumber | undefined>;

export interface WireMessage {
  readonly file: string;
  readonly step: Step;
  /** The message as it went over the wire, integers exact. */
  readonly text: string;
}

export interface Transcript {
  readonly file: string;
  readonly steps: readonly Step[];
}

export function loadTranscripts(): Transcript[] {
  return transcriptNames().map((file) => {
    const doc = parse(readFileSync(transcriptPath(file), 'utf8')) as { steps: RawStep[] };
    const steps = doc.steps.map((s) => ({
      ...s,
      index: Number(s.index),
      reply_step: s.reply_step === undefined ? undefined : Number(s.reply_step),
      in_reply_to: s.in_reply_to === undefined ? undefined : Number(s.in_reply_to),
    }));
    return { file, steps };
  });
}

export function wireMessages(transcripts: readonly Transcript[]): WireMessage[] {
  return transcripts.flatMap((t) =>
    t.steps.filter((s) => s.dir !== 'event').map((step) => ({ file: t.file, step, text: stringify(step.message) as string })),
  );
}

/** Deep JSON equality in which numbers compare by exact value, whatever their spelling. */
export function losslessEqual(a: string, b: string): boolean {
  return same(parse(a), parse(b));
}

function same(a: unknown, b: unknown): boolean {
  if (isLosslessNumber(a) || isLosslessNumber(b)) {
    return isLosslessNumber(a) && isLosslessNumber(b) && exact(a.value) === exact(b.value);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** Integers compare as bigints; anything else by its numeric value. */
function exact(text: string): string {
  return /^-?\d+$/.test(text) ? BigInt(text).toString() : String(Number(text));
}
