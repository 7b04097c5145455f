import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from '../bytes.js';
import { decode, type Encoded } from '../encoding.js';
import { buildTx, unpackTx } from './tx.js';
import { TX_VECTORS } from '../../../../tools/fixtures.mjs';

// Every distinct tx_ string of the transcripts, decoded by the node's templates (fixtures/README.md).
interface Vector {
  tx: Encoded<'tx'>;
  shape: string;
  seen: { where: string }[];
  decoded: unknown;
}
const file = JSON.parse(readFileSync(TX_VECTORS, 'utf8')) as {
  count: number;
  vectors: Vector[];
};

/** Our field names are the node's in camelCase, but for the signed tx's `encodedTx`. */
function snakeCase(name: string): string {
  return name === 'encodedTx' ? 'transaction' : name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A decoded object in the vectors' notation: ids and st_/sg_/pi_/ss_ as strings, binaries as hex. */
function asVector(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(asVector);
  if (typeof value === 'object' && value !== null) {
    const { tag, version, ...fields } = value as Record<string, unknown>;
    return { tag, vsn: version, fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [snakeCase(k), asVector(v)])) };
  }
  return value;
}

/** The vectors' object trees with integers as bigint, opaque objects as their API string, no annotations. */
function expected(value: unknown): unknown {
  if (typeof value === 'number') {
    // JSON.parse is only exact up to 2^53; the vectors stay below it, and this keeps it so.
    if (!Number.isSafeInteger(value)) throw new Error(`vector integer ${value} is not exact as a JS number`);
    return BigInt(value);
  }
  // Signatures are raw bytes in our objects, as in aepp-sdk-js.
  if (typeof value === 'string' && value.startsWith('sg_')) return toHex(decode(value, 'sg'));
  if (Array.isArray(value)) return value.map(expected);
  if (typeof value === 'object' && value !== null) {
    const o = value as { tag: number; vsn: number; fields?: Record<string, unknown>; opaque?: boolean; api?: string };
    if (o.opaque) return o.api;
    const fields = Object.fromEntries(Object.entries(o.fields ?? {}).map(([k, v]) => [k, expected(v)]));
    return { tag: o.tag, vsn: o.vsn, fields };
  }
  return value;
}

describe('tx vectors (fixtures/vectors/tx_vectors.json)', () => {
  it('unpackTx gives every vector its decoded fields and buildTx gives back the same string', () => {
    let checked = 0;
    for (const [i, vector] of file.vectors.entries()) {
      const where = `vector #${i} ${vector.shape} (${vector.seen[0]?.where})`;
      let tx;
      try {
        tx = unpackTx(vector.tx);
      } catch (e) {
        throw new Error(`${where}: unpackTx threw ${String(e)}`, { cause: e });
      }
      expect(asVector(tx), where).toEqual(expected(vector.decoded));
      expect(buildTx(tx), where).toBe(vector.tx);
      checked++;
    }
    expect(file.count).toBe(2011);
    expect(checked).toBe(2011);
  });
});
