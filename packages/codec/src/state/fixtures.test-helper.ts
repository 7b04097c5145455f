/**
 * Test-only access to the vendored ground truth (fixtures/: transcripts and tx vectors).
 * Not exported from the package.
 */
import { readFileSync } from 'node:fs';
import { transcriptNames, transcriptPath, TX_VECTORS } from '../../../../tools/fixtures.mjs';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * JSON.parse that keeps integers beyond 2^53 exact by turning them into strings first (Node 20's
 * reviver gets no source text). Strings are matched as whole tokens, so digits inside them are safe.
 * Read amounts with `BigInt(value)`, which takes both the numbers and the strings.
 */
export function parseJsonLossless(text: string): unknown {
  const quoted = text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, (token) => {
    if (token.startsWith('"') || !/^-?\d+$/.test(token)) return token;
    const n = BigInt(token);
    return n > MAX_SAFE || n < -MAX_SAFE ? `"${token}"` : token;
  });
  return JSON.parse(quoted);
}

/* eslint-disable @typescript-eslint/no-explicit-any -- transcript JSON is read ad hoc */
export type Json = any;

export interface Step {
  index: number;
  actor: 'initiator' | 'responder';
  dir: 'send' | 'recv' | 'event';
  event?: string;
  query?: Record<string, string>;
  message?: Json;
  in_reply_to?: number;
}

export interface Transcript {
  /** Path under fixtures/transcripts, e.g. `json-rpc/continuous/sc_ws_deposit.json`. */
  name: string;
  text: string;
  steps: Step[];
}

let transcripts: Transcript[] | undefined;
export function loadTranscripts(): Transcript[] {
  transcripts ??= transcriptNames().map((name) => {
    const text = readFileSync(transcriptPath(name), 'utf8');
    return { name, text, steps: (parseJsonLossless(text) as { steps: Step[] }).steps };
  });
  return transcripts;
}

/** Every distinct `tx_`, `ss_`, `pi_` … string in a transcript. */
export function apiStrings(transcript: Transcript, prefix: string): string[] {
  return [...new Set(transcript.text.match(new RegExp(`"${prefix}_[A-Za-z0-9+/=]{16,}"`, 'g')) ?? [])].map((s) => s.slice(1, -1));
}

/** A decoded chain object of the vectors file: `{ tag, vsn, type, fields, signers? }`. */
export interface VectorNode {
  tag: number;
  vsn: number;
  type: string;
  fields: Record<string, Json>;
  signers?: { sig: number; account: `ak_${string}`; network_id: string; hashed: boolean }[];
}

export interface TxVector {
  tx: `tx_${string}`;
  shape: string;
  seen: { where: string }[];
  decoded: VectorNode;
}

let vectors: Map<string, TxVector> | undefined;
/** tx_ string → its vector (decoded tree). Every tx_ in the transcripts is there. */
export function loadVectors(): Map<string, TxVector> {
  vectors ??= new Map(
    (parseJsonLossless(readFileSync(TX_VECTORS, 'utf8')) as { vectors: TxVector[] }).vectors.map((v) => [v.tx, v]),
  );
  return vectors;
}

/** Tags of the wrappers around a channel tx: signed_tx and ga_meta_tx. */
const WRAPPERS = new Set([11, 81]);

/** The channel tx inside signed_tx / GA meta tx layers, and the signature count of the layer right around it. */
export function channelTx(node: VectorNode): { tx: VectorNode; signatures: number } {
  let signatures = 0;
  while (WRAPPERS.has(node.tag)) {
    if (node.tag === 11) signatures = (node.fields.signatures as unknown[]).length;
    node = (node.fields.transaction ?? node.fields.tx) as VectorNode;
  }
  return { tx: node, signatures };
}

/** Every `state_hash` (as `st_`) in a decoded tree, nested payloads included. */
export function stateHashesIn(node: Json, out: Set<string> = new Set()): Set<string> {
  if (node && typeof node === 'object') {
    if (typeof node.fields?.state_hash === 'string') out.add(node.fields.state_hash);
    for (const value of Object.values(node)) stateHashesIn(value, out);
  }
  return out;
}
