/** The project's read-only ground truth (`../shared` from the repository root). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_DIR = process.env.CH_SHARED_DIR ?? fileURLToPath(new URL('../../../../../shared/', import.meta.url));

export function readShared(path: string): string {
  return readFileSync(join(SHARED_DIR, path), 'utf8');
}
