/**
 * Lossless JSON for the channel API: integer literals beyond 2^53 parse to `bigint` and print back
 * as bare JSON numbers (the node rejects numbers sent as strings, and its request ids sit near
 * -2^59). Node 20's `JSON.parse` reviver gets no source text, so the exact digits must be read here.
 *
 * Strategy (measured in bench/json.bench.mjs): an unsafe integer needs at least 16 digits in a
 * row, so texts without such a run go straight to the native `JSON.parse`; only the rest (about
 * one message in six on the wire: those carrying an id) take the scanner below.
 */
import { RpcError, RpcErrorCode } from './errors.js';

/**
 * A parsed JSON value. Integers outside ±(2^53 − 1) are `bigint`, all others `number`; literals
 * with a fraction or exponent stay `number` (the protocol has none), and must fit a double.
 */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Any run of 16 digits (in a string or not: without one, no integer can be unsafe), or a
 * three-digit exponent (the only way a literal can overflow to Infinity, which JSON cannot print).
 */
const NEEDS_SCANNER = /\d{16}|\d[eE][+-]?\d{3}/;

/** Parses JSON text, keeping every integer exact. Throws `RpcError` (`RPC_PARSE_ERROR`) on bad text. */
export function parseJson(text: string): JsonValue {
  if (typeof text !== 'string') {
    throw new RpcError(RpcErrorCode.PARSE_ERROR, `expected JSON text, got ${typeof text}`);
  }
  if (!NEEDS_SCANNER.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch (e) {
      throw new RpcError(RpcErrorCode.PARSE_ERROR, `invalid JSON: ${(e as Error).message}`);
    }
  }
  return new Scanner(text).document();
}

// Sticky patterns let the regexp engine skip the long base64/base58 runs at native speed.
// Control characters end a run because JSON forbids them unescaped inside strings.
// eslint-disable-next-line no-control-regex
const PLAIN_CHARS = /[^"\\\u0000-\u001f]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
/** The scanner recurses, so it refuses deeper nesting rather than risk the call stack (`JSON.parse` does not recurse). */
const MAX_DEPTH = 512;

/** A recursive-descent reader accepting what `JSON.parse` accepts, but for nesting past MAX_DEPTH and numbers past a double's range. */
class Scanner {
  private pos = 0;
  constructor(private readonly text: string) {}

  document(): JsonValue {
    const value = this.value(0);
    this.space();
    if (this.pos < this.text.length) this.fail('end of input');
    return value;
  }

  private value(depth: number): JsonValue {
    this.space();
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x22) return this.string();
    if (c === 0x7b) return this.object(depth + 1);
    if (c === 0x5b) return this.array(depth + 1);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const [word, v] of WORDS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail('a JSON value');
  }

  private object(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`at most ${MAX_DEPTH} nested containers`);
    this.pos++;
    const out: { [key: string]: JsonValue } = {};
    this.space();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('a string key');
      const key = this.string();
      this.space();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail('":"');
      this.pos++;
      const v = this.value(depth);
      // A plain assignment to "__proto__" would replace the prototype instead of adding a key.
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      if (this.endOf(0x7d)) return out;
    }
  }

  private array(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`at most ${MAX_DEPTH} nested containers`);
    this.pos++;
    const out: JsonValue[] = [];
    this.space();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      if (this.endOf(0x5d)) return out;
    }
  }

  /** After a member: true at the closing bracket, false at a comma, a parse error otherwise. */
  private endOf(close: number): boolean {
    this.space();
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x2c) {
      this.pos++;
      return false;
    }
    if (c === close) {
      this.pos++;
      return true;
    }
    return this.fail(`"," or "${String.fromCharCode(close)}"`);
  }

  private string(): string {
    const start = this.pos;
    PLAIN_CHARS.lastIndex = start + 1;
    PLAIN_CHARS.test(this.text);
    let i = PLAIN_CHARS.lastIndex;
    if (this.text.charCodeAt(i) === 0x22) {
      this.pos = i + 1;
      return this.text.slice(start + 1, i);
    }
    // Escapes are rare: find the closing quote and let the native parser decode them.
    for (;;) {
      const c = this.text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) i += 2;
      else if (c >= 0x20) i++;
      else {
        this.pos = Math.min(i, this.text.length);
        this.fail('a closed string without control characters');
      }
    }
    this.pos = i + 1;
    try {
      return JSON.parse(this.text.slice(start, i + 1)) as string;
    } catch {
      this.pos = start;
      return this.fail('a string with valid escapes');
    }
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) return this.fail('a number');
    this.pos = NUMBER.lastIndex;
    const n = Number(m[0]);
    if (Number.isSafeInteger(n)) return n;
    if (m[1] === undefined && m[2] === undefined) return BigInt(m[0]);
    if (Number.isFinite(n)) return n;
    this.pos -= m[0].length;
    return this.fail('a number within the range of a double');
  }

  private space(): void {
    let c = this.text.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = this.text.charCodeAt(++this.pos);
  }

  private fail(expected: string): never {
    const got = this.pos < this.text.length ? JSON.stringify(this.text.slice(this.pos, this.pos + 12)) : 'the end of input';
    throw new RpcError(RpcErrorCode.PARSE_ERROR, `invalid JSON: expected ${expected} at offset ${this.pos}, got ${got}`);
  }
}

const WORDS: readonly (readonly [string, JsonValue])[] = [
  ['true', true],
  ['false', false],
  ['null', null],
];

// Object keys repeat across messages ("jsonrpc", "params", …); quoting each once is measurably cheaper.
const quotedKeys = new Map<string, string>();
const MAX_CACHED_KEYS = 4096;

function quoteKey(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quotedKeys.size < MAX_CACHED_KEYS) quotedKeys.set(key, q);
  }
  return q;
}

/**
 * Serialises a JSON value; `bigint`s print as bare integers. Object members that are `undefined`
 * are left out, as `JSON.stringify` does. Throws `RpcError` (`RPC_NOT_SERIALIZABLE`) for values
 * JSON cannot carry (functions, symbols, non-finite numbers, cycles or extreme nesting).
 */
export function stringifyJson(value: JsonValue): string {
  try {
    return write(value);
  } catch (e) {
    // Paths are only worked out once something failed, so the hot path builds no strings for them.
    const path = locateUnserialisable(value, '', new Set());
    const why = e === UNSERIALISABLE ? 'a value JSON cannot carry' : (e as Error).message;
    throw new RpcError(RpcErrorCode.NOT_SERIALIZABLE, `cannot serialise ${why}`, { path: path ?? '(root)' });
  }
}

const UNSERIALISABLE = Symbol('unserialisable');

function write(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (Number.isFinite(v)) return String(v);
      break;
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) s += (i === 0 ? '' : ',') + write(v[i]);
        return s + ']';
      }
      let s = '{';
      let first = true;
      for (const key in v) {
        const x = (v as Record<string, unknown>)[key];
        if (x === undefined) continue;
        s += (first ? '' : ',') + quoteKey(key) + ':' + write(x);
        first = false;
      }
      return s + '}';
    }
  }
  throw UNSERIALISABLE;
}

/** The path of the first value `write` refuses (a non-JSON leaf or a cycle), if any. */
function locateUnserialisable(v: unknown, path: string, seen: Set<object>): string | undefined {
  const here = path || '(root)';
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : here;
  if (typeof v !== 'object') return ['string', 'bigint', 'boolean'].includes(typeof v) ? undefined : here;
  if (v === null) return undefined;
  if (seen.has(v) || seen.size > MAX_DEPTH) return here;
  seen.add(v);
  const entries = Array.isArray(v) ? v.map((x, i) => [`${path}[${i}]`, x] as const) : Object.entries(v).map(([k, x]) => [path ? `${path}.${k}` : k, x] as const);
  for (const [p, x] of entries) {
    if (x === undefined && !Array.isArray(v)) continue;
    const found = locateUnserialisable(x, p, seen);
    if (found !== undefined) return found;
  }
  seen.delete(v);
  return undefined;
}
