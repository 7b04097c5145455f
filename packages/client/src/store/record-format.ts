/**
 * A channel record as every durable store keeps it: `{ format, record }`. Whatever holds the
 * value (a MessagePack file, an IndexedDB object store), what it loads goes through `unwrapRecord`,
 * which checks every field the client reads and what the states claim: a torn, foreign,
 * other-version or tampered record is a `StoreError` of code `invalid` naming the field, never a
 * misread, a crash deeper in the client, another channel's or party's record, or balances its
 * signatures do not vouch for.
 */
import { channelIdFromCreateTx, decode, encode, OffChainState, Tag, type Encoded, type Prefix, type UnsignedTx } from '@ch/codec';
import { signedBy, unwrap } from '../checks.js';
import { StoreError, StoreErrorCode } from '../errors.js';
import { roundOf } from '../node-state.js';
import type { Role } from '../signer.js';
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

type Fields = Record<string, unknown>;

const AMOUNTS = ['initiatorAmount', 'responderAmount', 'pushAmount', 'channelReserve', 'lockPeriod'] as const;

/** The record of `channelId` (and `role`, if named) in `value`, once checked; a `StoreError` of code `invalid` otherwise. */
export function unwrapRecord(value: unknown, channelId: Encoded<'ch'>, role?: Role): ChannelRecord {
  if (!isObject(value) || value.format !== RECORD_FORMAT) return refuser(channelId)('no format marker, or another format');
  return checkRecord(value.record, channelId, role);
}

function refuser(channelId: Encoded<'ch'>): (problem: string) => never {
  return (problem) => {
    throw new StoreError(StoreErrorCode.INVALID, `not a channel record of format ${RECORD_FORMAT}: ${problem} (loaded as ${channelId})`);
  };
}

/**
 * `record`, once every field is checked to be the record of `channelId` (kept for `role`, if
 * named) and its states to be what their txs sign. The client checks what any store returns (a
 * user's own store included) before it reconnects from it.
 */
export function checkRecord(record: unknown, channelId: Encoded<'ch'>, role?: Role): ChannelRecord {
  const refuse = refuser(channelId);
  if (!isObject(record)) return refuse('record is missing');
  encoded(record.channelId, 'ch', 'channelId', refuse);
  // A record under another channel's key (IndexedDB keys are apart from values) must not pass for it.
  if (record.channelId !== channelId) refuse(`channelId is ${String(record.channelId)}, another channel's`);
  if (record.role !== 'initiator' && record.role !== 'responder') refuse('role is neither initiator nor responder');
  if (role !== undefined && record.role !== role) refuse(`role is ${record.role}, the other party's`);
  if (typeof record.networkId !== 'string' || record.networkId === '') refuse('networkId is not a non-empty string');
  const terms = record.terms;
  if (!isObject(terms)) return refuse('terms is missing');
  encoded(terms.initiatorId, 'ak', 'terms.initiatorId', refuse);
  encoded(terms.responderId, 'ak', 'terms.responderId', refuse);
  for (const field of AMOUNTS) amount(terms[field], `terms.${field}`, refuse);
  // The FSM id is the node's token, passed back as it was given: the node judges it (a wrong one is
  // its "Invalid fsm id" refusal, sc_ws_leave_reestablish_wrong_fsm_id), so it is only a string here.
  if (record.fsmId !== undefined && (typeof record.fsmId !== 'string' || record.fsmId === '')) refuse('fsmId is not a non-empty string');
  const round = storedState(record.state, 'state', refuse);
  if (record.pending !== undefined && storedState(record.pending, 'pending', refuse) <= round) refuse('pending.round is not past state.round');
  const checked = record as unknown as ChannelRecord;
  const parties = [checked.terms.initiatorId, checked.terms.responderId];
  const own = [checked.role === 'initiator' ? checked.terms.initiatorId : checked.terms.responderId];
  // Before the channel opens the state is the create tx only we signed; after, both signed it.
  const stateSigners = unwrap(checked.state.tx).inner.tag === Tag.ChannelCreateTx && !signedBy(checked.state.tx, checked.networkId, parties) ? own : parties;
  signedState(checked, 'state', stateSigners, refuse);
  // A pending state is one we signed; the peer's signature may be on it or still to come.
  if (checked.pending) signedState(checked, 'pending', own, refuse);
  return checked;
}

/** Checks that a state's tx is of this channel and round, signed by `signers` under the network id, and that its balances hash to its state hash. */
function signedState(record: ChannelRecord, field: 'state' | 'pending', signers: readonly Encoded<'ak'>[], refuse: (problem: string) => never): void {
  const state = record[field]!;
  const inner: UnsignedTx = unwrap(state.tx).inner;
  const txChannel = inner.tag === Tag.ChannelCreateTx ? channelIdFromCreateTx(inner) : 'channelId' in inner ? inner.channelId : undefined;
  if (txChannel !== record.channelId) refuse(`${field}.tx is another channel's`);
  if (roundOf(inner) !== state.round) refuse(`${field}.round is not its tx's round`);
  if (!('stateHash' in inner)) return refuse(`${field}.tx has no state hash`);
  if (encode(new OffChainState(state.balances).stateHash(), 'st') !== inner.stateHash) refuse(`${field}.balances do not hash to its tx's state hash`);
  if (!signedBy(state.tx, record.networkId, signers)) refuse(`${field}.tx is not signed by ${signers.length === 2 ? 'both participants' : `the ${record.role}`} under network ${record.networkId}`);
}

/** Checks a `StoredState`; returns its round. */
function storedState(value: unknown, field: string, refuse: (problem: string) => never): bigint {
  if (!isObject(value)) return refuse(`${field} is missing`);
  amount(value.round, `${field}.round`, refuse);
  try {
    unwrap(value.tx as Encoded<'tx'>);
  } catch {
    refuse(`${field}.tx is not a transaction`);
  }
  if (!Array.isArray(value.balances)) return refuse(`${field}.balances is not an array`);
  const keys = new Set<string>();
  for (const [n, entry] of (value.balances as unknown[]).entries()) {
    const at = `${field}.balances[${n}]`;
    if (!Array.isArray(entry) || entry.length !== 2) refuse(`${at} is not a [key, balance] pair`);
    const [key, balance] = entry as unknown[];
    if (typeof key !== 'string' || !/^[0-9a-f]{64}$/.test(key)) refuse(`${at}'s key is not 64 lowercase hex digits`);
    if (keys.has(key as string)) refuse(`${at}'s key is there twice`);
    keys.add(key as string);
    amount(balance, `${at}'s balance`, refuse);
  }
  return value.round as bigint;
}

function amount(value: unknown, field: string, refuse: (problem: string) => never): void {
  if (typeof value !== 'bigint' || value < 0n) refuse(`${field} is not a bigint ≥ 0`);
}

function encoded(value: unknown, prefix: Prefix, field: string, refuse: (problem: string) => never): void {
  try {
    decode(value as string, prefix);
  } catch {
    refuse(`${field} is not a valid ${prefix}_ id`);
  }
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
