/** The channel object (tag 58) and the rules about it that every channel tx shares (aesc_channels.erl, aesc_utils.erl). */
import { Tag, type Channel, type ChannelCreateTx, type Encoded } from '@ch/codec';
import { ChainError, ChainErrorCode, check } from './errors.js';
import type { Ledger } from './ledger.js';

/** Version 2 (Fortuna, Lima: one delegate list) or 3 (Iris: a list per participant). */
export type ChannelObject = Extract<Channel, { version: 2 | 3 }>;

/** A co-signed state: what deposit, withdraw and the off-chain payloads put on chain. */
export interface ChannelState {
  round: bigint;
  stateHash: Encoded<'st'>;
}

/** ?LAST_ROUND_MUTUAL: solo_round when the last state on chain was co-signed, not forced. */
const LAST_ROUND_MUTUAL = 0n;
/** Auth of a basic (non-generalized) account, as serialized. */
const BASIC_AUTH = new Uint8Array(0);

/**
 * `aesc_channels:new`: the create tx's state at round 1, active (locked_until 0). The object version
 * follows the create tx's: a version 2 create carries the per-participant delegates of version 3.
 */
export function newChannel(tx: ChannelCreateTx): ChannelObject {
  const fields = {
    tag: Tag.Channel,
    initiatorId: tx.initiatorId,
    responderId: tx.responderId,
    channelAmount: tx.initiatorAmount + tx.responderAmount,
    initiatorAmount: tx.initiatorAmount,
    responderAmount: tx.responderAmount,
    channelReserve: tx.channelReserve,
    stateHash: tx.stateHash,
    round: 1n,
    soloRound: LAST_ROUND_MUTUAL,
    lockPeriod: tx.lockPeriod,
    lockedUntil: 0n,
    initiatorAuth: BASIC_AUTH,
    responderAuth: BASIC_AUTH,
  };
  return tx.version === 1
    ? { ...fields, version: 2, delegateIds: tx.delegateIds }
    : { ...fields, version: 3, initiatorDelegateIds: tx.initiatorDelegateIds, responderDelegateIds: tx.responderDelegateIds };
}

export function requireChannel(ledger: Ledger, id: Encoded<'ch'>): ChannelObject {
  const channel = ledger.channel(id);
  if (channel === undefined) throw new ChainError(ChainErrorCode.UNKNOWN_CHANNEL, `channel ${id} does not exist`);
  return channel;
}

export function participants(channel: ChannelObject): [Encoded<'ak'>, Encoded<'ak'>] {
  return [channel.initiatorId, channel.responderId];
}

/** Block height 0 cannot close a channel, so locked_until 0 means active. */
function isActive(channel: ChannelObject): boolean {
  return channel.lockedUntil === 0n;
}

export function requireActive(channel: ChannelObject): void {
  check(isActive(channel), ChainErrorCode.CHANNEL_LOCKED, `the channel is solo-closing, locked until ${channel.lockedUntil}`);
}

export function requireClosing(channel: ChannelObject): void {
  check(!isActive(channel), ChainErrorCode.CHANNEL_ACTIVE, 'the channel is active, not solo-closing');
}

export function requirePeer(channel: ChannelObject, account: Encoded<'ak'>): void {
  check(participants(channel).includes(account), ChainErrorCode.NOT_PARTICIPANT, `${account} is not a participant of the channel`);
}

function delegates(channel: ChannelObject): Encoded<'ak'>[] {
  return channel.version === 2 ? channel.delegateIds : [...channel.initiatorDelegateIds, ...channel.responderDelegateIds];
}

/** `is_peer_or_delegate`: delegates may post the tx types the protocol lets them (slash; from Iris also snapshots). */
export function requirePeerOrDelegate(channel: ChannelObject, account: Encoded<'ak'>, delegatable: boolean): void {
  if (delegatable && delegates(channel).includes(account)) return;
  requirePeer(channel, account);
}

/**
 * `check_round_greater_than_last`. Only force progress makes the last state a forced one, which
 * lowers the bar to solo_round − 1; this chain does not run it, so the bar is the channel's round.
 */
export function requireRoundAbove(channel: ChannelObject, round: bigint): void {
  const kind = round === channel.round ? 'the same as' : 'below';
  check(round > channel.round, ChainErrorCode.BAD_ROUND, `round ${round} is ${kind} the channel's round ${channel.round}`);
}

/** The channel after a co-signed state reached the chain: it replaces any forced one. */
export function withCoSignedState(channel: ChannelObject, state: ChannelState): ChannelObject {
  return { ...channel, round: state.round, stateHash: state.stateHash, soloRound: LAST_ROUND_MUTUAL };
}
