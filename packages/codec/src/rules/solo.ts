/**
 * Txs one participant posts alone to put a state on chain (close solo, slash, snapshot): it must be
 * the last co-signed one. An off-chain round goes in the payload, exactly as co-signed; the proof of
 * inclusion (close solo, slash) must prove that same state.
 */
import { bytesEqual } from '../bytes.js';
import { encode, type Encoded } from '../encoding.js';
import { decodePoi, type ProofOfInclusion } from '../state/poi.js';
import type { ChannelCloseSoloTx, ChannelSlashTx, ChannelSnapshotSoloTx } from '../tx/schema.js';
import { Tag } from '../tx/tags.js';
import { buildTx, unpackTx } from '../tx/tx.js';
import { isParticipant, moves } from './movements.js';
import { broken, Violation, type ChannelContext, type LastCoSigned, type Verdict } from './verdict.js';

export type SoloTx = ChannelCloseSoloTx | ChannelSlashTx | ChannelSnapshotSoloTx;

const KINDS = { [Tag.ChannelCloseSoloTx]: 'close_solo', [Tag.ChannelSlashTx]: 'slash', [Tag.ChannelSnapshotSoloTx]: 'snapshot_solo' } as const;

/**
 * The payload must be the last co-signed off-chain round with its co-signatures, as the chain checks
 * them. It may be empty only when the last co-signed state is on chain (an on-chain tx, or a round
 * the chain is known to hold): an empty payload closes on whatever round the chain holds, and an
 * older round whose balances equal the last one's would pass the PoI check and then be slashed
 * with a round in between.
 */
function judgePayload(tx: SoloTx, ctx: ChannelContext, last: LastCoSigned): Verdict | undefined {
  const lastTx = unpackTx(last.tx);
  const lastIsOffChain = lastTx.tag === Tag.SignedTx && lastTx.encodedTx.tag === Tag.ChannelOffChainTx;
  if (tx.payload === null) {
    if (tx.tag === Tag.ChannelSnapshotSoloTx) return broken(Violation.WRONG_PAYLOAD, 'a snapshot must carry the last co-signed off-chain round');
    if (lastIsOffChain && ctx.onChainRound !== last.round) return broken(Violation.WRONG_PAYLOAD, `the payload is empty, but the last co-signed round ${last.round} is off-chain`);
    return undefined;
  }
  if (!lastIsOffChain) return broken(Violation.WRONG_PAYLOAD, `the last state (round ${last.round}) was set on chain: the payload must be empty`);
  if (buildTx(tx.payload.encodedTx) !== buildTx(lastTx.encodedTx)) return broken(Violation.WRONG_PAYLOAD, `the payload is not the last co-signed round ${last.round}`);
  const [carried, cosigned] = [tx.payload.signatures, lastTx.signatures];
  const same = carried.length === cosigned.length && cosigned.every((sig) => carried.some((c) => bytesEqual(c, sig)));
  if (!same) return broken(Violation.WRONG_PAYLOAD, `the payload does not carry the co-signatures of round ${last.round}`);
  return undefined;
}

/** The PoI must prove the last co-signed state: its hash, and both participants' balances in it. */
function judgePoi(poi: Encoded<'pi'>, ctx: ChannelContext, last: LastCoSigned): Verdict | undefined {
  let proof: ProofOfInclusion;
  try {
    proof = decodePoi(poi);
  } catch (e) {
    return broken(Violation.MALFORMED_TX, `bad proof of inclusion: ${(e as Error).message}`);
  }
  if (!bytesEqual(proof.hash, last.state.stateHash())) return broken(Violation.WRONG_POI, 'the proof of inclusion is not of the last co-signed state');
  for (const party of [ctx.initiatorId, ctx.responderId]) {
    const proven = proof.balanceOf(party);
    if (proven === undefined || proven !== last.state.balanceOf(party)) {
      return broken(Violation.WRONG_POI, `the proof of inclusion does not prove ${party}'s balance in round ${last.round}`);
    }
  }
  return undefined;
}

export function judgeSolo(tx: SoloTx, ctx: ChannelContext, last: LastCoSigned): Verdict {
  const kind = KINDS[tx.tag];
  if (!isParticipant(ctx, tx.fromId)) return broken(Violation.WRONG_PARTY, `${kind} from ${tx.fromId}, not a participant`);
  const payloadRefusal = judgePayload(tx, ctx, last);
  if (payloadRefusal) return payloadRefusal;
  if (tx.tag !== Tag.ChannelSnapshotSoloTx) {
    const poiRefusal = judgePoi(tx.poi, ctx, last);
    if (poiRefusal) return poiRefusal;
  }
  const effect = {
    kind,
    tx,
    networkId: ctx.networkId,
    channelId: tx.channelId,
    from: tx.fromId,
    onChain: moves({ account: tx.fromId, amount: -tx.fee }),
    offChain: [],
    fee: tx.fee,
    pricedAs: tx,
    nonce: tx.nonce,
    round: last.round,
    state: last.state,
    stateHash: encode(last.state.stateHash(), 'st'),
    delegates: [],
  };
  return { ok: true, effect };
}
