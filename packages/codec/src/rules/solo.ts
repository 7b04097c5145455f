/**
 * Txs one participant posts alone to put a state on chain (close solo, slash, snapshot): it must be
 * the last co-signed one. An off-chain round goes in the payload, exactly as co-signed; the proof of
 * inclusion (close solo, slash) must prove that same state.
 */
import { bytesEqual } from '../bytes.js';
import { encode } from '../encoding.js';
import { poiHash } from '../state/poi.js';
import type { ChannelCloseSoloTx, ChannelSlashTx, ChannelSnapshotSoloTx } from '../tx/schema.js';
import { Tag } from '../tx/tags.js';
import { buildTx, unpackTx } from '../tx/tx.js';
import { isParticipant, moves } from './movements.js';
import { broken, Violation, type ChannelContext, type LastCoSigned, type Verdict } from './verdict.js';

export type SoloTx = ChannelCloseSoloTx | ChannelSlashTx | ChannelSnapshotSoloTx;

const KINDS = { [Tag.ChannelCloseSoloTx]: 'close_solo', [Tag.ChannelSlashTx]: 'slash', [Tag.ChannelSnapshotSoloTx]: 'snapshot_solo' } as const;

export function judgeSolo(tx: SoloTx, ctx: ChannelContext, last: LastCoSigned): Verdict {
  const kind = KINDS[tx.tag];
  if (!isParticipant(ctx, tx.fromId)) return broken(Violation.WRONG_PARTY, `${kind} from ${tx.fromId}, not a participant`);
  const lastTx = unpackTx(last.tx);
  const lastInner = lastTx.tag === Tag.SignedTx ? lastTx.encodedTx : lastTx;
  if (tx.payload !== null) {
    if (lastInner.tag !== Tag.ChannelOffChainTx) return broken(Violation.WRONG_PAYLOAD, `the last state (round ${last.round}) was set on chain: the payload must be empty`);
    if (buildTx(tx.payload.encodedTx) !== buildTx(lastInner)) {
      return broken(Violation.WRONG_PAYLOAD, `the payload is not the last co-signed round ${last.round}`);
    }
  } else if (tx.tag === Tag.ChannelSnapshotSoloTx) {
    return broken(Violation.WRONG_PAYLOAD, 'a snapshot must carry the last co-signed off-chain round');
  }
  // An empty payload closes on the state on chain; the chain takes it only if that state is the
  // one the PoI proves, so proving the last co-signed state is what binds it.
  if (tx.tag !== Tag.ChannelSnapshotSoloTx) {
    let hash: Uint8Array;
    try {
      hash = poiHash(tx.poi);
    } catch (e) {
      return broken(Violation.MALFORMED_TX, `bad proof of inclusion: ${(e as Error).message}`);
    }
    if (!bytesEqual(hash, last.state.stateHash())) return broken(Violation.WRONG_POI, 'the proof of inclusion is not of the last co-signed state');
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
