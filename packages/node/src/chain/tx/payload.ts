/**
 * What the solo txs (close_solo, slash, snapshot_solo) carry: a co-signed off-chain state as payload,
 * and a proof of inclusion of the participants' balances (aesc_utils:check_payload, check_poi).
 */
import { buildTx, bytesEqual, decode, decodePoi, Tag, tagName, toHex, type Encoded, type SignedTx } from '@ch/codec';
import { participants, requirePeerOrDelegate, requireRoundAbove, type ChannelObject, type ChannelState } from '../channels.js';
import { ChainError, ChainErrorCode, check } from '../errors.js';
import { requireSignatures } from '../signatures.js';
import type { PostedAlone } from './validator.js';

/**
 * The payload's state, once it is a channel off-chain tx of this channel, of a later round than the
 * chain's, posted by a participant (or a delegate where `delegatable`), and signed by both participants.
 */
export function payloadState(
  tx: PostedAlone,
  payload: SignedTx,
  channel: ChannelObject,
  options: { networkId: string; delegatable: boolean },
): ChannelState {
  const state = payload.encodedTx;
  if (state.tag === Tag.GaMetaTx) throw new ChainError(ChainErrorCode.UNSUPPORTED, 'the payload is authenticated by a generalized account');
  if (state.tag !== Tag.ChannelOffChainTx) {
    throw new ChainError(ChainErrorCode.BAD_PAYLOAD, `the payload must be a channel off-chain tx, not ${tagName(state.tag)}`);
  }
  check(state.channelId === tx.channelId, ChainErrorCode.BAD_PAYLOAD, `the payload is a state of ${state.channelId}, not of ${tx.channelId}`);
  requireRoundAbove(channel, state.round);
  requirePeerOrDelegate(channel, tx.fromId, options.delegatable);
  requireSignatures(buildTx(payload), options.networkId, participants(channel), 'the payload');
  return { round: state.round, stateHash: state.stateHash };
}

export interface ProvenAmounts {
  initiatorAmount: bigint;
  responderAmount: bigint;
}

/**
 * The participants' balances in `poi`, which must hash to `stateHash` and may hold less than the
 * channel but never more (tokens can be burnt, never made).
 */
export function provenAmounts(poi: Encoded<'pi'>, stateHash: Encoded<'st'>, channel: ChannelObject): ProvenAmounts {
  let proof;
  try {
    proof = decodePoi(poi);
  } catch (e) {
    throw new ChainError(ChainErrorCode.BAD_POI, 'the proof of inclusion is malformed', { cause: e });
  }
  check(bytesEqual(proof.hash, decode(stateHash, 'st')), ChainErrorCode.BAD_STATE_HASH, `the proof of inclusion does not hash to ${stateHash}`);
  const [initiatorAmount, responderAmount] = participants(channel).map((id) => proof.balances.get(toHex(decode(id, 'ak'))));
  check(initiatorAmount !== undefined && responderAmount !== undefined, ChainErrorCode.BAD_POI, "the proof lacks a participant's account");
  check(
    initiatorAmount + responderAmount <= channel.channelAmount,
    ChainErrorCode.BAD_POI,
    `the proof holds ${initiatorAmount + responderAmount}, more than the channel's ${channel.channelAmount}`,
  );
  return { initiatorAmount, responderAmount };
}
