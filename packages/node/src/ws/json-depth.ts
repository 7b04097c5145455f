/**
 * A pass over JSON text before it is parsed: nesting depth and number length, which cost the
 * parser (and anything that walks the value) far more than their bytes. Strings are skipped, so
 * brackets and digits inside them do not count. Malformed text is left to the parser.
 */

export type JsonBreach = 'depth' | 'number';

export function jsonBreach(text: string, maxDepth: number, maxDigits: number): JsonBreach | undefined {
  let depth = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (++digits > maxDigits) return 'number';
      continue;
    }
    digits = 0;
    if (c === 0x22) {
      // To the closing quote: an escape takes the character after the backslash with it.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return 'depth';
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}
