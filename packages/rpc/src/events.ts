/**
 * What the node reports on its own: `channels.info` events, `channels.on_chain_tx` infos and
 * `channels.conflict` data. Event names are the 25 seen on the wire (methods.md).
 */
import { Tag } from '@ch/codec';
import { CONFLICT_MESSAGES } from './catalogue.js';
import { channelId, counter, fsmId, transaction, txHash } from './fields.js';
import { literal, object, optional, smallInteger, string, variant, type Infer } from './schema.js';

/** Events that carry nothing but their name. */
export const PLAIN_INFO_EVENTS = [
  'update',
  'died',
  'open',
  'own_funding_locked',
  'funding_locked',
  'channel_open',
  'channel_accept',
  'closing',
  'closed_confirmed',
  'aborted_update',
  'shutdown',
  'own_deposit_locked',
  'deposit_locked',
  'own_withdraw_locked',
  'withdraw_locked',
  'channel_reestablished',
  'deposit_created',
  'withdraw_created',
  'peer_disconnected',
  'timeout',
] as const;

export const channelInfo = variant('event', [
  object({ event: literal(...PLAIN_INFO_EVENTS) }),
  // The FSM is up; keep `fsm_id` to reestablish the channel later.
  object({ event: literal('fsm_up'), fsm_id: fsmId }),
  object({ event: literal('funding_created', 'funding_signed'), fsm_id: optional(fsmId) }),
  // A watched tx reached its minimum depth. The node puts the raw 32 hash bytes in `tx_hash`
  // (not a `th_` string), so it is only typed as a string.
  object({ event: literal('min_depth_achieved'), tx_hash: string, type: string }),
  // The answer to `channels.assume_minimum_depth` when the depth was already assumed.
  object({ event: literal('minimum_depth_achieved'), notice: string, tx_hash: txHash, tx_type: string }),
]);
export type ChannelInfo = Infer<typeof channelInfo>;
export type ChannelInfoEvent = ChannelInfo['event'];

export const ON_CHAIN_INFOS = [
  'channel_changed',
  'funding_created',
  'funding_signed',
  'channel_closed',
  'solo_closing',
  'close_mutual',
  'can_slash',
  'deposit_created',
  'deposit_signed',
  'withdraw_created',
  'withdraw_signed',
] as const;

/** The channel tx kinds, each by its tag and by the name the node reports it with in `type`. */
const CHANNEL_TXS = [
  [Tag.ChannelCreateTx, 'channel_create_tx'],
  [Tag.ChannelDepositTx, 'channel_deposit_tx'],
  [Tag.ChannelWithdrawTx, 'channel_withdraw_tx'],
  [Tag.ChannelCloseMutualTx, 'channel_close_mutual_tx'],
  [Tag.ChannelCloseSoloTx, 'channel_close_solo_tx'],
  [Tag.ChannelSlashTx, 'channel_slash_tx'],
  [Tag.ChannelSettleTx, 'channel_settle_tx'],
  [Tag.ChannelSnapshotSoloTx, 'channel_snapshot_solo_tx'],
  [Tag.ChannelForceProgressTx, 'channel_force_progress_tx'],
  [Tag.ChannelOffChainTx, 'channel_offchain_tx'],
] as const;
export type ChannelTxType = (typeof CHANNEL_TXS)[number][1];
export const CHANNEL_TX_TYPES: readonly ChannelTxType[] = CHANNEL_TXS.map(([, type]) => type);
/** The `type` name of each channel tx tag. */
export const CHANNEL_TX_TYPE_OF_TAG = Object.fromEntries(CHANNEL_TXS) as { readonly [E in (typeof CHANNEL_TXS)[number] as E[0]]: E[1] };

/** The `type` name of a tx tag; undefined for a tx that is not a channel's. */
export function channelTxType(tag: number): ChannelTxType | undefined {
  return (CHANNEL_TX_TYPE_OF_TAG as Readonly<Record<number, ChannelTxType>>)[tag];
}

/** `channels.on_chain_tx`: a channel tx the node created, signed or saw on chain. */
export const onChainTx = object({ info: literal(...ON_CHAIN_INFOS), tx: transaction, type: literal(...CHANNEL_TX_TYPES) });
export type OnChainTx = Infer<typeof onChainTx>;
export type OnChainInfo = OnChainTx['info'];

/**
 * `channels.conflict`: an update failed and both sides fell back to `round`, the last co-signed
 * round. `error_msg` follows `error_code` as `conflictMessage()` does for the node's vintage.
 */
export const conflict = object({
  channel_id: channelId,
  error_code: smallInteger,
  error_msg: literal(...CONFLICT_MESSAGES),
  round: counter,
});
export type Conflict = Infer<typeof conflict>;
