/**
 * FSM reports as the node's JSON-RPC notifications (sc_ws_api `process_fsm_/3`, `event_to_payload/4`):
 * `channels.<action>[.<tag>]` with `{channel_id, data}`, keys in the node's (sorted) order.
 */
import { Tag, type Encoded, type OffChainUpdate } from '@ch/codec';
import { ConflictCode, conflictMessage, type JsonValue } from '@ch/rpc';
import type { Profile } from '../profiles.js';
import { innerTx } from '../fsm/auth.js';
import type { Report, SignTag } from '../fsm/events.js';

/** The sign request method for each tag (the node renames a few, sc_ws_api `process_fsm_/3`). */
const SIGN_METHODS: { readonly [T in SignTag]: string } = {
  create_tx: 'channels.sign.initiator_sign',
  funding_created: 'channels.sign.responder_sign',
  update: 'channels.sign.update',
  update_ack: 'channels.sign.update_ack',
  deposit_tx: 'channels.sign.deposit_tx',
  deposit_created: 'channels.sign.deposit_ack',
  withdraw_tx: 'channels.sign.withdraw_tx',
  withdraw_created: 'channels.sign.withdraw_ack',
  shutdown: 'channels.sign.shutdown_sign',
  shutdown_ack: 'channels.sign.shutdown_sign_ack',
  snapshot_solo_tx: 'channels.sign.snapshot_solo_tx',
  close_solo_tx: 'channels.sign.close_solo_sign',
  slash_tx: 'channels.sign.slash_tx',
  settle_tx: 'channels.sign.settle_sign',
};

const TX_TYPES: ReadonlyMap<number, string> = new Map([
  [Tag.ChannelCreateTx, 'channel_create_tx'],
  [Tag.ChannelDepositTx, 'channel_deposit_tx'],
  [Tag.ChannelWithdrawTx, 'channel_withdraw_tx'],
  [Tag.ChannelCloseMutualTx, 'channel_close_mutual_tx'],
  [Tag.ChannelCloseSoloTx, 'channel_close_solo_tx'],
  [Tag.ChannelSlashTx, 'channel_slash_tx'],
  [Tag.ChannelSettleTx, 'channel_settle_tx'],
  [Tag.ChannelOffChainTx, 'channel_offchain_tx'],
  [Tag.ChannelSnapshotSoloTx, 'channel_snapshot_solo_tx'],
  [Tag.ChannelForceProgressTx, 'channel_force_progress_tx'],
]);

/** aesc_offchain_update:for_client/1. */
export function updateForClient(update: OffChainUpdate): JsonValue {
  switch (update.op) {
    case 'OffChainTransfer':
      return { amount: update.amount, from: update.from, op: update.op, to: update.to };
    case 'OffChainDeposit':
      return { amount: update.amount, from: update.from, op: update.op };
    case 'OffChainWithdrawal':
      return { amount: update.amount, op: update.op, to: update.to };
    case 'OffChainMeta':
      return { data: update.data, op: update.op };
    default:
      throw new Error(`${update.op} updates are not produced by this node`);
  }
}

function txType(tx: Encoded<'tx'>): string {
  return TX_TYPES.get(innerTx(tx).tag) ?? 'unknown';
}

/** The notification for `report`, sent under the session's channel id. */
export function notification(report: Report, channelId: Encoded<'ch'> | null, profile: Profile): JsonValue {
  const [method, data] = methodAndData(report, channelId, profile);
  return { jsonrpc: '2.0', method, params: { channel_id: channelId, data }, version: 1 };
}

/** aesc_fsm error_code_to_msg/1 of the profile's vintage. */
function conflictMessageOf(code: number, profile: Profile): string {
  return code === ConflictCode.REJECTED_ON_CHAIN && !profile.namesOnChainRejection ? 'unknown' : conflictMessage(code);
}

function methodAndData(report: Report, channelId: Encoded<'ch'> | null, profile: Profile): [string, JsonValue] {
  switch (report.kind) {
    case 'info':
      return ['channels.info', { event: report.event, ...(report.fsmId !== undefined && { fsm_id: report.fsmId }), ...report.details }];
    case 'died':
      return ['channels.info', { event: 'died' }];
    case 'sign':
      return [SIGN_METHODS[report.tag], { signed_tx: report.tx, updates: report.updates.map(updateForClient) }];
    case 'on_chain_tx':
      return ['channels.on_chain_tx', { info: report.info, tx: report.tx, type: txType(report.tx) }];
    case 'update':
    case 'leave':
      return [`channels.${report.kind}`, { state: report.state }];
    case 'conflict':
      return ['channels.conflict', { channel_id: channelId, error_code: report.code, error_msg: conflictMessageOf(report.code, profile), round: report.round }];
    case 'message':
      return ['channels.message', { message: { channel_id: channelId, from: report.from, info: report.info, to: report.to } }];
    case 'error':
      return ['channels.error', { message: report.message }];
  }
}
