/**
 * Every failure of `@ch/codec` is a `CodecError` with a stable string `code`.
 * Codes are never renamed or removed; new ones are only added.
 */
export const CodecErrorCode = {
  /** An API string has no `xx_` prefix, or one we do not know. */
  UNKNOWN_PREFIX: 'CODEC_UNKNOWN_PREFIX',
  /** An API string has a known prefix, but not the one the caller asked for. */
  PREFIX_MISMATCH: 'CODEC_PREFIX_MISMATCH',
  /** The payload is not valid base58 / base64. */
  MALFORMED_ENCODING: 'CODEC_MALFORMED_ENCODING',
  /** The 4-byte double-sha256 checksum does not match. */
  BAD_CHECKSUM: 'CODEC_BAD_CHECKSUM',
  /** A fixed-size value (key, hash, signature, id) has the wrong number of bytes. */
  BAD_LENGTH: 'CODEC_BAD_LENGTH',
  /** RLP ends before a declared length. */
  RLP_TRUNCATED: 'CODEC_RLP_TRUNCATED',
  /** RLP uses a longer form than needed (the node would never produce it). */
  RLP_NON_CANONICAL: 'CODEC_RLP_NON_CANONICAL',
  /** Bytes remain after a complete RLP item. */
  RLP_TRAILING_BYTES: 'CODEC_RLP_TRAILING_BYTES',
  /** An RLP list was found where a byte string was expected, or the other way round. */
  RLP_UNEXPECTED_KIND: 'CODEC_RLP_UNEXPECTED_KIND',
  /** An integer field is not minimal big-endian (leading zero byte, or empty). */
  BAD_INTEGER: 'CODEC_BAD_INTEGER',
  /** A serialized object has a tag we do not know. */
  UNKNOWN_TAG: 'CODEC_UNKNOWN_TAG',
  /** A known tag with a version we do not know. */
  UNKNOWN_VERSION: 'CODEC_UNKNOWN_VERSION',
  /** A serialized object has the wrong number of fields for its tag and version. */
  FIELD_COUNT: 'CODEC_FIELD_COUNT',
  /** A field value is of the wrong kind or out of range (negative amount, wrong id type, ...). */
  BAD_FIELD: 'CODEC_BAD_FIELD',
  /** An id has an unknown tag byte or the wrong type for its field. */
  BAD_ID: 'CODEC_BAD_ID',
  /** A secret or public key is malformed. */
  BAD_KEY: 'CODEC_BAD_KEY',
  /** An off-chain update cannot be applied (insufficient balance, unknown account, ...). */
  UPDATE_REJECTED: 'CODEC_UPDATE_REJECTED',
  /** A proof of inclusion or tree dump is inconsistent (a node hash does not match). */
  BAD_PROOF: 'CODEC_BAD_PROOF',
} as const;
export type CodecErrorCode = (typeof CodecErrorCode)[keyof typeof CodecErrorCode];

export class CodecError extends Error {
  override readonly name = 'CodecError';
  /** Stable machine-readable code. */
  readonly code: CodecErrorCode;
  /** Where the fault is: a field path like `transaction.payload.round` or a byte offset. */
  readonly path: string | undefined;

  constructor(code: CodecErrorCode, message: string, options?: { path?: string; cause?: unknown }) {
    const where = options?.path ? ` (at ${options.path})` : '';
    super(`${message}${where}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options?.path;
  }
}

/** Narrowing guard: `isCodecError(e, CodecErrorCode.BAD_CHECKSUM)`. */
export function isCodecError(e: unknown, code?: CodecErrorCode): e is CodecError {
  return e instanceof CodecError && (code === undefined || e.code === code);
}

/** Re-throws a nested CodecError with the outer field name prepended to its path. */
export function withPath<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CodecError) {
      throw new CodecError(e.code, e.message.replace(/ \(at [^)]*\)$/, ''), {
        path: e.path ? `${path}.${e.path}` : path,
        cause: e.cause,
      });
    }
    throw e;
  }
}
