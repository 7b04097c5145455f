import { describe, expect, it } from 'vitest';
import { parseJson, RpcError, RpcErrorCode, stringifyJson, type JsonValue } from './index.js';

function parseError(text: string): RpcError {
  try {
    parseJson(text);
  } catch (e) {
    if (e instanceof RpcError) return e;
    throw e;
  }
  throw new Error(`parsed: ${text}`);
}

describe('parseJson', () => {
  it('keeps integers beyond 2^53 exact as bigint, and the rest as numbers', () => {
    const v = parseJson('{"id":-576460752303423253,"amount":10000000000000000,"small":9007199254740991,"edge":9007199254740992,"f":1.5,"e":1e3}');
    expect(v).toEqual({ id: -576460752303423253n, amount: 10000000000000000n, small: 9007199254740991, edge: 9007199254740992n, f: 1.5, e: 1000 });
  });

  it('gives the same value as JSON.parse wherever that one is exact', () => {
    const texts = [
      '{"a":[1,2,{"b":null}],"c":"x\\"y\\\\z\\u00e9\\n","d":true,"e":false,"f":-0.25e-3}',
      ' [ "1234567890123456", 1234567890123456 , "\\ud83d\\ude00" ] ',
      '{"k":"digits 12345678901234567890 inside a string stay a string"}',
      '{"__proto__":{"polluted":true},"x":12345678901234567890}',
    ];
    for (const t of texts) {
      const ours = parseJson(t);
      expect(JSON.stringify(ours, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))).toBe(JSON.stringify(JSON.parse(t)));
    }
    const proto = parseJson(texts[3]!) as Record<string, JsonValue>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__', 'x']);
  });

  // Each text holds a 17-digit run, so it takes the scanner rather than JSON.parse.
  it.each([
    ['[12345678901234567,]', 'a JSON value'],
    ['{"n":12345678901234567,}', 'a string key'],
    ['[12345678901234567 2]', '"," or "]"'],
    ['{"n" 12345678901234567}', '":"'],
    ['01234567890123456789', 'end of input'],
    ['"12345678901234567\\x"', 'valid escapes'],
    ['["12345678901234567\u0001"]', 'control characters'],
    ['[12345678901234567', '"," or "]"'],
    ['{"a":12345678901234567} x', 'end of input'],
    ['tru 12345678901234567', 'a JSON value'],
    ['[1e400]', 'within the range of a double'],
    ['{"tx":"tx_5e123","n":-1.5E+309}', 'within the range of a double'],
  ])('refuses %j with RPC_PARSE_ERROR naming what it expected', (text, expected) => {
    const e = parseError(text);
    expect(e.code).toBe(RpcErrorCode.PARSE_ERROR);
    expect(e.message).toContain(expected);
  });

  it('refuses bad text on the JSON.parse path with RPC_PARSE_ERROR too', () => {
    for (const text of ['', '{"a":1,}', '[1 2]', '{"a" 1}', 'undefined']) {
      const e = parseError(text);
      expect(e.code).toBe(RpcErrorCode.PARSE_ERROR);
      expect(e.message).toMatch(/^invalid JSON: ./);
    }
  });

  it('bounds nesting where it scans, instead of overflowing the stack', () => {
    const deep = '['.repeat(600) + '12345678901234567' + ']'.repeat(600);
    expect(parseError(deep).message).toContain('nested containers');
    const fine = '['.repeat(500) + '12345678901234567' + ']'.repeat(500);
    expect(() => parseJson(fine)).not.toThrow();
  });
});

describe('stringifyJson', () => {
  it('prints bigints as bare integers and round-trips exactly', () => {
    const text = '{"id":-576460752303423253,"params":{"amount":10000000000000000,"list":[1,-2,3.5,"s",null,true]}}';
    expect(stringifyJson(parseJson(text))).toBe(text);
    expect(stringifyJson({ a: 1n, b: undefined } as unknown as JsonValue)).toBe('{"a":1}');
  });

  it('matches JSON.stringify on plain values', () => {
    const v = { s: 'quote " backslash \\ newline \n é 😀', n: [0, -1, 1e21, 1.25], o: { nested: [{}, []] } };
    expect(stringifyJson(v)).toBe(JSON.stringify(v));
  });

  it('refuses values JSON cannot carry, naming where they are', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const cases: [unknown, string][] = [
      [{ a: [1, Number.NaN] }, 'a[1]'],
      [{ f: () => 1 }, 'f'],
      [[Symbol('x')], '[0]'],
      [cycle, 'self'],
    ];
    for (const [value, path] of cases) {
      try {
        stringifyJson(value as JsonValue);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(RpcError);
        expect((e as RpcError).code).toBe(RpcErrorCode.NOT_SERIALIZABLE);
        expect((e as RpcError).path).toBe(path);
      }
    }
  });
});
