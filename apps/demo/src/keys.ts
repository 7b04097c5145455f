/** Secret keys as users hold them: hex (a 32-byte seed or the 64-byte secret key) or `sk_…`. */
import { Buffer } from 'node:buffer';
import { decode, keyPairFromSecret, type KeyPair } from '@ch/codec';

export function keyPairFromText(text: string, what: string): KeyPair {
  const trimmed = text.trim();
  let bytes: Uint8Array;
  if (trimmed.startsWith('sk_')) {
    bytes = decodeSk(trimmed, what);
  } else if (/^(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{128})$/.test(trimmed)) {
    bytes = Buffer.from(trimmed, 'hex');
  } else {
    throw new Error(`${what}: expected a secret key as 64 or 128 hex digits or sk_…`);
  }
  if (bytes.length !== 32 && bytes.length !== 64) throw new Error(`${what}: a secret key has 32 or 64 bytes, this one ${bytes.length}`);
  return keyPairFromSecret(bytes);
}

function decodeSk(text: string, what: string): Uint8Array {
  try {
    return decode(text, 'sk');
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`, { cause: e });
  }
}
