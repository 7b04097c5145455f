/**
 * The seed transcript's markdown format: a `#### initiator ---> node` heading (`<---` for what the
 * node sends, `closes WebSocket connection` for a hang-up) followed by the message as pretty JSON
 * in a ```javascript fence. Written by the demo, read back (ours and the seed's) by the tests.
 */
import { Tag, unpackTx, type Encoded } from '@ch/codec';
import type { Role } from '@ch/client';
import { parseJson, type JsonValue } from '@ch/rpc';
import { PLAIN, type Palette } from './colour.js';
import { prettyJson } from './pretty-json.js';
import type { WireEntry } from './transcript.js';

const ARROWS = { send: '--->', recv: '<---' } as const;

export function heading(entry: WireEntry, palette: Palette = PLAIN): string {
  const actor = palette[entry.actor](entry.actor);
  return entry.dir === 'close' ? `#### ${actor} closes WebSocket connection` : `#### ${actor} ${ARROWS[entry.dir]} node`;
}

/** One entry as a markdown section, after a blank line as in the seed. */
export function section(entry: WireEntry, palette: Palette = PLAIN): string {
  // As in the seed, a hang-up has an empty, untyped block.
  const [fence, body] = entry.message === undefined ? ['```', ''] : ['```javascript', prettyJson(entry.message, { palette })];
  return `\n${palette.bold(heading(entry, palette))}\n${palette.dim(fence)}\n${body}\n${palette.dim('```')}\n`;
}

export function toMarkdown(entries: readonly WireEntry[]): string {
  return entries.map((e) => section(e)).join('');
}

const HEADING = /^#### (initiator|responder) (?:(--->|<---) node|(closes) WebSocket connection)$/;

/** Reads a transcript written in this format (ours or the seed's). */
export function parseMarkdown(text: string): WireEntry[] {
  const entries: WireEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = HEADING.exec(lines[i]!);
    if (!match) continue;
    const open = i + 1;
    const close = lines.indexOf('```', open + 1);
    if (!lines[open]?.startsWith('```') || close < 0) throw new Error(`line ${i + 1}: a heading without its fenced block`);
    const actor = match[1] as Role;
    const body = lines.slice(open + 1, close).join('\n').trim();
    if (match[3]) entries.push({ actor, dir: 'close' });
    else entries.push({ actor, dir: match[2] === '--->' ? 'send' : 'recv', message: parseJson(body) });
    i = close;
  }
  return entries;
}

/** What the comparison with the seed looks at: who, which way, which method, which code, which round. */
export interface Beat {
  readonly actor: Role;
  readonly dir: WireEntry['dir'];
  /** The call's method; for a reply, the method of the call it answers. */
  readonly method: string | null;
  /** A conflict's `error_code`, or the abort code of a signing reply (`{"error": 147}`). */
  readonly errorCode: number | null;
  /** A conflict's `round`, or the round of the channel tx a message carries. */
  readonly round: bigint | null;
}

type Json = { [key: string]: JsonValue };
const object = (v: JsonValue | undefined): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined);

/**
 * The beats of a transcript. Acknowledgements (`"result": "ok"`) are left out: they answer calls
 * sent with an id, and whether a call carries one is the client's choice — the seed's 2019 test
 * client sent most calls as notifications, @ch/client sends every call with an id.
 */
export function beats(entries: readonly WireEntry[]): Beat[] {
  const calls = new Map<string, string>(); // `${actor} ${id}` → method
  const out: Beat[] = [];
  for (const entry of entries) {
    const message = object(entry.message);
    if (entry.dir === 'close' || !message) {
      out.push({ actor: entry.actor, dir: entry.dir, method: null, errorCode: null, round: null });
      continue;
    }
    const id = message.id === undefined ? undefined : `${entry.actor} ${String(message.id)}`;
    let method = typeof message.method === 'string' ? message.method : null;
    if (method !== null && id !== undefined && entry.dir === 'send') calls.set(id, method);
    if (method === null) {
      if (message.result === 'ok') continue;
      method = id === undefined ? null : (calls.get(id) ?? null);
    }
    const params = object(message.params);
    const data = object(params?.data);
    const code = data?.error_code ?? params?.error ?? object(message.error)?.code;
    const round = data?.round ?? txRound(params?.signed_tx ?? data?.signed_tx ?? params?.state);
    out.push({
      actor: entry.actor,
      dir: entry.dir,
      method,
      errorCode: typeof code === 'number' ? code : null,
      round: typeof round === 'number' || typeof round === 'bigint' ? BigInt(round) : null,
    });
  }
  return out;
}

/** The round of the channel tx inside a signed tx, if it has one. */
function txRound(tx: JsonValue | undefined): bigint | undefined {
  if (typeof tx !== 'string' || !tx.startsWith('tx_')) return undefined;
  const inner = unpackTx(tx as Encoded<'tx'>, Tag.SignedTx).encodedTx;
  return 'round' in inner ? inner.round : undefined;
}
