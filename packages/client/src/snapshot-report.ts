/**
 * What a node's report of a snapshot on chain (`channels.on_chain_tx`, `channel_changed`) tells the
 * client: the round the chain now holds for this channel. A solo close may then carry an empty
 * payload at that round (the node builds it so, aesc_fsm `new_onchain_tx/7`); the chain would refuse
 * the same round again as a payload.
 */
import { Tag, unpackTx, type Encoded } from '@ch/codec';
import type { OnChainTx } from '@ch/rpc';

export function includedSnapshotRound(report: OnChainTx, channelId: Encoded<'ch'> | undefined): bigint | undefined {
  if (report.info !== 'channel_changed' || channelId === undefined) return undefined;
  try {
    const outer = unpackTx(report.tx, Tag.SignedTx);
    const tx = outer.encodedTx;
    if (tx.tag !== Tag.ChannelSnapshotSoloTx || tx.channelId !== channelId) return undefined;
    const state = tx.payload?.encodedTx;
    return state?.tag === Tag.ChannelOffChainTx && state.channelId === channelId ? state.round : undefined;
  } catch {
    // Not a tx of ours to read: it tells nothing about the round on chain.
    return undefined;
  }
}
