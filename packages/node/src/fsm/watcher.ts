/**
 * The chain watcher of one FSM's channel (aesc_chain_watcher): every tx of the channel that lands
 * in a block is reported as a change, a solo close or a close, and the FSM's requests for a tx's
 * minimum depth or for the end of the channel's lock are answered once the chain gets there.
 */
import { channelIdFromCreateTx, Tag, type Encoded } from '@ch/codec';
import { innerTx } from './auth.js';
import type { ChainAccess } from './chain-access.js';
import type { ChainEvent, WatchTag } from './events.js';

/** The txs whose arrival removes the channel (report_closed_on_chain/3). */
const CLOSING_TAGS: ReadonlySet<number> = new Set([Tag.ChannelCloseMutualTx, Tag.ChannelSettleTx]);

/** The channel a tx acts on, if it is a channel tx. */
export function channelOf(tx: Encoded<'tx'>): Encoded<'ch'> | undefined {
  const inner = innerTx(tx);
  if (inner.tag === Tag.ChannelCreateTx) return channelIdFromCreateTx(inner);
  return 'channelId' in inner ? inner.channelId : undefined;
}

export class ChainWatcher {
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(
    readonly chain: ChainAccess,
    readonly channelId: Encoded<'ch'>,
    readonly deliver: (event: ChainEvent) => void,
  ) {
    this.#unsubscribe = chain.onChannelTx(channelId, (tx, txHash) => this.#report(tx, txHash));
  }

  #report(tx: Encoded<'tx'>, txHash: Encoded<'th'>): void {
    const channel = this.chain.channel(this.channelId);
    if (channel === undefined) {
      if (CLOSING_TAGS.has(innerTx(tx).tag)) this.deliver({ type: 'channel_closed', tx, txHash });
      return;
    }
    this.deliver(channel.lockedUntil === 0n ? { type: 'channel_changed', tx, txHash } : { type: 'channel_closing', tx, txHash, channel });
  }

  /** min_depth_req: tells the FSM once `txHash` is `depth` blocks deep. */
  minDepth(tag: WatchTag, txHash: Encoded<'th'>, depth: number): void {
    void this.chain.waitForDepth(txHash, depth).then(() => this.#deliver({ type: 'minimum_depth_achieved', tag, txHash }));
  }

  /** unlock_req: tells the FSM once the top block is past the channel's locked_until. */
  unlock(): void {
    const lockedUntil = this.chain.channel(this.channelId)?.lockedUntil ?? 0n;
    void this.chain.waitForHeight(Number(lockedUntil) + 1).then(() => this.#deliver({ type: 'channel_unlocked' }));
  }

  #deliver(event: ChainEvent): void {
    if (!this.#stopped) this.deliver(event);
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}
