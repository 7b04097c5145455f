/**
 * A small declarative schema language: each method's params, results and notification data are
 * described once, and both the validator and the TypeScript type (`Infer<typeof schema>`) come
 * from that description.
 *
 * `read` checks a freshly parsed JSON value and converts it in place (integers become `bigint`),
 * so a valid message costs no copy. Faults are collected rather than thrown, because the node
 * reports every broken field at once (e.g. data codes 1005 and 1006 together).
 */
import type { DataCode } from './catalogue.js';
import type { Fault } from './errors.js';
import type { JsonValue } from './json.js';

/** Returned by `read` when the value has faults; the faults are in the array passed in. */
export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

export interface Schema<T> {
  /** What a valid value is, for fault messages: "an ak_ string", "an integer". */
  readonly expected: string;
  read(value: unknown, path: string, faults: Fault[]): T | Invalid;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** A short description of what arrived, for fault messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function fail(faults: Fault[], path: string, expected: string, value: unknown): Invalid {
  faults.push({ path, expected, got: describe(value) });
  return INVALID;
}

/** A schema for values tested by one predicate, returned as they are. */
function leaf<T>(expected: string, test: (v: unknown) => boolean): Schema<T> {
  return { expected, read: (v, path, faults) => (test(v) ? (v as T) : fail(faults, path, expected, v)) };
}

export const string: Schema<string> = leaf('a string', (v) => typeof v === 'string');
export const boolean: Schema<boolean> = leaf('a boolean', (v) => typeof v === 'boolean');
/** Any JSON value, kept as parsed (for parts the protocol leaves open, like an echoed request). */
export const json: Schema<JsonValue> = leaf('a JSON value', (v) => v !== undefined);

/** Amounts, rounds, ids…: any integer, as `bigint`. */
export const integer: Schema<bigint> = {
  expected: 'an integer',
  read(v, path, faults) {
    if (typeof v === 'bigint') return v;
    return Number.isSafeInteger(v) ? BigInt(v as number) : fail(faults, path, 'an integer', v);
  },
};

/** Version numbers and codes: an integer that fits a JS number. */
export const smallInteger: Schema<number> = leaf('a small integer', (v) => Number.isSafeInteger(v));

export interface LiteralSchema<L extends string | number> extends Schema<L> {
  readonly values: readonly L[];
}

/** One of the listed constants (`literal('ok')`, `literal('ping', 'stop')`). */
export function literal<const L extends readonly (string | number)[]>(...values: L): LiteralSchema<L[number]> {
  const expected = values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
  return { values, ...leaf<L[number]>(expected, (v) => values.includes(v as L[number])) };
}

export interface OptionalSchema<T> extends Schema<T> {
  readonly optional: true;
}

/** Marks an object member that may be absent. */
export function optional<T>(schema: Schema<T>): OptionalSchema<T> {
  return { ...schema, optional: true };
}

export function nullable<T>(schema: Schema<T>): Schema<T | null> {
  return {
    expected: `${schema.expected} or null`,
    read: (v, path, faults) => (v === null ? null : schema.read(v, path, faults)),
  };
}

/** The first schema that accepts the value; a single fault listing them all if none does. */
export function anyOf<S extends readonly Schema<unknown>[]>(...schemas: S): Schema<Infer<S[number]>> {
  const expected = schemas.map((s) => s.expected).join(' or ');
  return {
    expected,
    read(v, path, faults) {
      for (const s of schemas) {
        const r = s.read(v, path, []);
        if (r !== INVALID) return r as Infer<S[number]>;
      }
      return fail(faults, path, expected, v);
    },
  };
}

/** Gives every fault found inside `schema` the node's data code for it (1005, 1008, …). */
export function coded<T>(dataCode: DataCode, schema: Schema<T>): Schema<T> {
  return {
    expected: schema.expected,
    read(v, path, faults) {
      const before = faults.length;
      const r = schema.read(v, path, faults);
      for (let i = before; i < faults.length; i++) faults[i] = { ...(faults[i] as Fault), dataCode };
      return r;
    },
  };
}

export function array<T>(item: Schema<T>): Schema<readonly T[]> {
  const expected = `an array of ${item.expected.replace(/^an? /, '')}s`;
  return {
    expected,
    read(v, path, faults) {
      if (!Array.isArray(v)) return fail(faults, path, expected, v);
      let ok = true;
      for (let i = 0; i < v.length; i++) {
        const r = item.read(v[i], `${path}[${i}]`, faults);
        if (r === INVALID) ok = false;
        else v[i] = r;
      }
      return ok ? (v as T[]) : INVALID;
    },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A map with checked keys and values, like a contract's store (`ck_…` → `cv_…`). */
export function record<K extends string, V>(key: Schema<K>, value: Schema<V>): Schema<Readonly<Record<K, V>>> {
  return {
    expected: 'an object',
    read(v, path, faults) {
      if (!isObject(v)) return fail(faults, path, 'an object', v);
      let ok = true;
      for (const k of Object.keys(v)) {
        const at = `${path}.${k}`;
        if (key.read(k, at, faults) === INVALID) ok = false;
        const r = value.read(v[k], at, faults);
        if (r === INVALID) ok = false;
        else v[k] = r;
      }
      return ok ? (v as Record<K, V>) : INVALID;
    },
  };
}

type Shape = { readonly [key: string]: Schema<unknown> };
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The type an object schema describes; members made with `optional()` may be absent. */
export type ObjectOf<S extends Shape> = Simplify<
  { readonly [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { readonly [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

export interface ObjectSchema<S extends Shape> extends Schema<ObjectOf<S>> {
  readonly shape: S;
}

/**
 * An object with the given members. Members not in the shape are kept as they are, so newer
 * node fields survive a round trip; the node itself ignores params it does not know.
 */
export function object<S extends Shape>(shape: S): ObjectSchema<S> {
  const members = Object.entries(shape).map(([key, s]) => [key, s, 'optional' in s] as const);
  return {
    shape,
    expected: 'an object',
    read(v, path, faults) {
      if (!isObject(v)) return fail(faults, path, 'an object', v);
      let ok = true;
      for (const [key, s, isOptional] of members) {
        const x = v[key];
        const at = path ? `${path}.${key}` : key;
        if (x === undefined) {
          if (!isOptional) {
            fail(faults, at, s.expected, x);
            ok = false;
          }
          continue;
        }
        const r = s.read(x, at, faults);
        if (r === INVALID) ok = false;
        else v[key] = r;
      }
      return ok ? (v as ObjectOf<S>) : INVALID;
    },
  };
}

type Member<K extends string> = Schema<unknown> & { readonly shape: { readonly [P in K]: LiteralSchema<string> } };

/**
 * A union of object schemas told apart by the constant at `key` (`event`, `op`, …). A member may
 * stand for several constants at once (`literal('open', 'closing', …)`) when they share a shape.
 */
export function variant<K extends string, const M extends readonly Member<K>[]>(key: K, members: M): Schema<Infer<M[number]>> {
  const byTag = new Map<unknown, Member<K>>();
  for (const m of members) for (const tag of m.shape[key].values) byTag.set(tag, m);
  const tags = `one of ${[...byTag.keys()].map((t) => JSON.stringify(t)).join(', ')}`;
  const expected = `an object with ${key} ${tags}`;
  return {
    expected,
    read(v, path, faults) {
      if (!isObject(v)) return fail(faults, path, expected, v);
      const m = byTag.get(v[key]);
      if (!m) return fail(faults, path ? `${path}.${key}` : key, tags, v[key]);
      return m.read(v, path, faults) as Infer<M[number]> | Invalid;
    },
  };
}

/**
 * A union of object schemas told apart by which key is present: the first listed key found in
 * the value picks its schema (the node checks `error` before `signed_tx` in sign replies).
 */
export function keyed<const B extends { readonly [key: string]: Schema<unknown> }>(branches: B): Schema<Infer<B[keyof B]>> {
  const keys = Object.keys(branches);
  const expected = `an object with one of ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
  return {
    expected,
    read(v, path, faults) {
      if (!isObject(v)) return fail(faults, path, expected, v);
      const key = keys.find((k) => v[k] !== undefined);
      if (key === undefined) return fail(faults, path, expected, v);
      return (branches[key] as Schema<Infer<B[keyof B]>>).read(v, path, faults);
    },
  };
}
