/** A log entry as LogStore frames it, around any payload, for the log tests to plant. */
import { crc32 } from 'node:zlib';

/** `durable`: how far the log was flushed when the entry was written. */
export function logEntry(payload: Uint8Array, durable = 0): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(~payload.length >>> 0, 4);
  header.writeUInt32BE(durable, 8);
  header.writeUInt32BE(crc32(payload, crc32(header.subarray(8, 12))), 12);
  return Buffer.concat([header, payload]);
}
