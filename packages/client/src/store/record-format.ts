/**
 * A channel record as every durable store keeps it: `{ format, record }`. Whatever holds the
 * value (a MessagePack file, an IndexedDB object store), what it loads goes through `unwrapRecord`,
 * so a torn, foreign or other-version record is a typed error, never a misread.
 */
import { ChannelError, ChannelErrorKind } from '../errors.js';
import type { ChannelRecord } from './store.js';

/** The record format's version, stored with it; a value of another version is refused. */
export const RECORD_FORMAT = 1;

export interface WrappedRecord {
  readonly format: typeof RECORD_FORMAT;
  readonly record: ChannelRecord;
}

export function wrapRecord(record: ChannelRecord): WrappedRecord {
  return { format: RECORD_FORMAT, record };
}

/** The record in `value`, once checked to be one of this format. */
export function unwrapRecord(value: unknown): ChannelRecord {
  const { format, record } = (value ?? {}) as { format?: unknown; record?: Partial<ChannelRecord> };
  const valid =
    format === RECORD_FORMAT &&
    typeof record?.channelId === 'string' &&
    (record.role === 'initiator' || record.role === 'responder') &&
    typeof record.state?.round === 'bigint' &&
    typeof record.state.tx === 'string' &&
    Array.isArray(record.state.balances);
  if (!valid) throw new ChannelError(ChannelErrorKind.STORE, `not a channel record of format ${RECORD_FORMAT}`);
  return record as ChannelRecord;
}
