/**
 * JSON as the seed transcript prints it: two-space indents, keys sorted, integers exact (leaves go
 * through @ch/rpc's lossless writer), optionally coloured.
 */
import { stringifyJson, type JsonValue } from '@ch/rpc';
import { PLAIN, type Palette } from './colour.js';

export function prettyJson(value: JsonValue, { palette = PLAIN, sortKeys = true }: { palette?: Palette; sortKeys?: boolean } = {}): string {
  const write = (v: JsonValue, indent: string): string => {
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[\n${v.map((x) => inner + write(x, inner)).join(',\n')}\n${indent}]`;
    }
    if (v !== null && typeof v === 'object') {
      const keys = sortKeys ? Object.keys(v).sort() : Object.keys(v);
      if (keys.length === 0) return '{}';
      return `{\n${keys.map((k) => `${inner}${palette.key(JSON.stringify(k))}: ${write(v[k]!, inner)}`).join(',\n')}\n${indent}}`;
    }
    const text = stringifyJson(v);
    return typeof v === 'string' ? palette.string(text) : palette.number(text);
  };
  return write(value, '');
}
