/**
 * FSM reports as the node's JSON-RPC notifications (sc_ws_api `process_fsm_/3`, `event_to_payload/4`):
 * `channels.<action>[.<tag>]` with `{channel_id, data}`, keys in the node's (sorted) order, sign
 * request methods from the catalogue in `@ch/rpc`.
 */
import type { OffChainUpdate as StateUpdate } from '@ch/codec';
import {
  channelTxType,
  ConflictCode,
  conflictMessage,
  nodeNotification,
  signRequestMethod,
  type ChannelId,
  type ChannelInfo,
  type ConflictMessage,
  type NodeNotification,
  type OffChainUpdate,
  type OnChainInfo,
} from '@ch/rpc';
import type { Profile } from '../profiles.js';
import { innerTx } from '../fsm/auth.js';
import type { Report } from '../fsm/events.js';

/** aesc_offchain_update:for_client/1. */
export function updateForClient(update: StateUpdate): OffChainUpdate {
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

/** aesc_fsm error_code_to_msg/1 of the profile's vintage. */
function conflictMessageOf(code: number, profile: Profile): ConflictMessage {
  return code === ConflictCode.REJECTED_ON_CHAIN && !profile.namesOnChainRejection ? 'unknown' : conflictMessage(code);
}

/** Conflicts and messages name the channel, which exists by the time there can be either. */
function existing(channelId: ChannelId | null): ChannelId {
  if (channelId === null) throw new Error('a report that names the channel before it has an id');
  return channelId;
}

/**
 * The notification for `report`, sent under the session's channel id. Each is built for the
 * method's data type in `@ch/rpc`, the schema the client parses it with.
 */
export function notification(report: Report, channelId: ChannelId | null, profile: Profile): NodeNotification {
  switch (report.kind) {
    case 'info': {
      // The FSM's events and their details are the node's (`event_to_payload/4`); the client's parser checks them.
      const data = { event: report.event, ...(report.fsmId !== undefined && { fsm_id: report.fsmId }), ...report.details } as ChannelInfo;
      return nodeNotification('channels.info', channelId, data);
    }
    case 'died':
      return nodeNotification('channels.info', channelId, { event: 'died' });
    case 'sign':
      return nodeNotification(signRequestMethod(report.tag), channelId, { signed_tx: report.tx, updates: report.updates.map(updateForClient) });
    case 'on_chain_tx': {
      const type = channelTxType(innerTx(report.tx).tag);
      if (type === undefined) throw new Error('an on-chain report of a tx that is not a channel tx');
      return nodeNotification('channels.on_chain_tx', channelId, { info: report.info as OnChainInfo, tx: report.tx, type });
    }
    case 'update':
      return nodeNotification('channels.update', channelId, { state: report.state });
    case 'leave':
      return nodeNotification('channels.leave', channelId, { state: report.state });
    case 'conflict':
      return nodeNotification('channels.conflict', channelId, { channel_id: existing(channelId), error_code: report.code, error_msg: conflictMessageOf(report.code, profile), round: report.round });
    case 'message':
      return nodeNotification('channels.message', channelId, { message: { channel_id: existing(channelId), from: report.from, info: report.info, to: report.to } });
    case 'error':
      return nodeNotification('channels.error', channelId, { message: report.message });
  }
}
