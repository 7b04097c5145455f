/**
 * Test-only access to /work/shared/transcripts (`../shared` from the repo root). Files are read
 * with lossless-json, an independent parser, so the wire texts the tests feed to `parseMessage`
 * do not depend on this package's own JSON code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLosslessNumber, parse, stringify, type LosslessNumber } from 'lossless-json';

export const TRANSCRIPTS_DIR = fileURLToPath(new URL('../../../../../shared/transcripts', import.meta.url));

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

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? jsonFiles(path) : name.endsWith('.json') ? [path] : [];
    });
}

export interface Transcript {
  readonly file: string;
  readonly steps: readonly Step[];
}

export function loadTranscripts(): Transcript[] {
  return jsonFiles(TRANSCRIPTS_DIR).map((path) => {
    const doc = parse(readFileSync(path, 'utf8')) as { steps: RawStep[] };
    const steps = doc.steps.map((s) => ({
      ...s,
      index: Number(s.index),
      reply_step: s.reply_step === undefined ? undefined : Number(s.reply_step),
      in_reply_to: s.in_reply_to === undefined ? undefined : Number(s.in_reply_to),
    }));
    return { file: relative(TRANSCRIPTS_DIR, path), steps };
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
