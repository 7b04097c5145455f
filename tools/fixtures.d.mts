/** The fixtures directory (with a trailing slash). */
export declare const FIXTURES_DIR: string;
/** fixtures/transcripts: 68 transcripts from aeternity/protocol and the seed's, as JSON. */
export declare const TRANSCRIPTS_DIR: string;
/** fixtures/vectors/tx_vectors.json: every distinct tx_ of the transcripts, decoded. */
export declare const TX_VECTORS: string;
/** fixtures/seed/000_16b59c4208d5b87d.txt: the seed transcript in its markdown form. */
export declare const SEED_TRANSCRIPT: string;
/** A transcript's path from its name under transcripts/, e.g. `json-rpc/sc_ws_slash.json`. */
export declare function transcriptPath(name: string): string;
/** The names of every vendored transcript (`seed/…`, `json-rpc/…`; not `real-node/…`), sorted. */
export declare function transcriptNames(): string[];
