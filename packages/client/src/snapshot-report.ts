/**
 * What a node's report of a snapshot on chain (`channels.on_chain_tx`, `channel_changed`) tells the
 * client: the round the chain now holds for this channel. A solo close may then carry an empty
 * payload at that round (the node builds it so, aesc_fsm `new_onchain_tx/7`); the chain would refuse
 * the same round again as a payload.
 *
 * Only our own snapshot of our last co-signed state counts: the node cannot forge our signature or
 * the peer's. That it is on chain rests on the node's word; a node that lies about it gains only
 * where an older round on chain has the last round's balances.
 */
import { buildTx, Tag, unpackTx, verifyTx, type Encoded } from '@ch/codec';
import type { OnChainTx } from '@ch/rpc';
import { sameTransaction, signedBy, type CoSignedState } from './checks.js';

export interface SnapshotWitness {
  readonly channelId: Encoded<'ch'> | undefined;
  readonly networkId: string;
  /** This client's account: the snapshot must be signed by it. */
  readonly account: Encoded<'ak'>;
  /** Both participants: the payload must carry both their signatures. */
  readonly parties: readonly Encoded<'ak'>[];
  readonly latest: CoSignedState | undefined;
}

export function includedSnapshotRound(report: OnChainTx, witness: SnapshotWitness): bigint | undefined {
  const { channelId, latest } = witness;
  if (report.info !== 'channel_changed' || channelId === undefined || latest === undefined) return undefined;
  try {
    const tx = unpackTx(report.tx, Tag.SignedTx).encodedTx;
    if (tx.tag !== Tag.ChannelSnapshotSoloTx || tx.channelId !== channelId || tx.fromId !== witness.account || tx.payload === null) return undefined;
    if (!verifyTx(report.tx, witness.networkId, [witness.account]).signers.includes(witness.account)) return undefined;
    const payload = buildTx(tx.payload);
    return sameTransaction(payload, latest.tx) && signedBy(payload, witness.networkId, witness.parties) ? latest.round : undefined;
  } catch {
    // Not a tx of ours to read: it tells nothing about the round on chain.
    return undefined;
  }
}
