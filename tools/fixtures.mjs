// Where the vendored ground truth lives (fixtures/README.md says where it comes from). Plain ESM
// with a .d.mts beside it, so the benches (run by Node as .mjs) and the tests share one module.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const TRANSCRIPTS_DIR = join(FIXTURES_DIR, 'transcripts');
export const TX_VECTORS = join(FIXTURES_DIR, 'vectors/tx_vectors.json');
export const SEED_TRANSCRIPT = join(FIXTURES_DIR, 'seed/000_16b59c4208d5b87d.txt');

/** A transcript's path from its name under transcripts/, e.g. `json-rpc/sc_ws_slash.json`. */
export function transcriptPath(name) {
  return join(TRANSCRIPTS_DIR, name);
}

/**
 * The names of every vendored transcript (`seed/…`, `json-rpc/…`), sorted: the ground truth the tx
 * vectors are derived from. `real-node/…`, our own recordings of today's node, are not among them.
 */
export function transcriptNames() {
  return readdirSync(TRANSCRIPTS_DIR, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.json') && !name.startsWith('real-node'))
    .sort();
}
