/**
 * Minimum depths (aesc_fsm `min_depth/3`, `watcher_request/4`): how deep a channel tx must be
 * before the FSM acts on it, and the watch that tells it so.
 */
import { txHash, type Encoded } from '@ch/codec';
import { innerTx } from './auth.js';
import type { WatchTag } from './events.js';
import type { ChannelFsm, OpData } from './fsm.js';
import type { ChannelAcceptMsg } from './peer-messages.js';
import { ChainWatcher } from './watcher.js';

/** aec_tx_pool:minimum_miner_gas_price/0: the divisor of the txfee minimum depth. */
const MIN_GAS_PRICE = 1_000_000_000;
/** aesc_fsm `default_minimum_depth/1`. */
export const DEFAULT_MINIMUM_DEPTH = { txfee: 10n, plain: 3n } as const;

/** `plain` takes the number as is; `txfee` takes the n-th root of fee / gas price, at least 1. */
export function minimumDepth(params: ChannelAcceptMsg | undefined, tx: Encoded<'tx'>): number {
  if (params === undefined) return 1;
  const factor = Number(params.minimumDepth);
  if (params.minimumDepthStrategy === 'plain') return factor;
  if (factor <= 0) return 1;
  const inner = innerTx(tx);
  const fee = 'fee' in inner ? Number(inner.fee) : 0;
  return Math.ceil(Math.pow(fee / MIN_GAS_PRICE, 1 / factor));
}

/** The FSM's watcher of its channel, started once the channel id is known (watcher_reg/2). */
export function watcherOf(fsm: ChannelFsm): ChainWatcher {
  fsm.watcher ??= new ChainWatcher(fsm.chain, fsm.channelId!, (event) => fsm.deliver({ kind: 'chain', event }));
  return fsm.watcher;
}

/** Waits for `data.tx` to be deep enough; `chainOp` records the wait unless it is a side watch (snapshots). */
export function watchMinDepth(fsm: ChannelFsm, tag: WatchTag, data: OpData, record = true): void {
  const hash = txHash(data.tx);
  if (record) fsm.chainOp = { tag, txHash: hash, ...data };
  watcherOf(fsm).minDepth(tag, hash, minimumDepth(fsm.minimumDepthParams, data.tx));
}
