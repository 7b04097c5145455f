/**
 * The node's channels. On a real network the initiator's node dials the responder's host:port;
 * both clients of this node connect here, so an initiator and a responder with the same accounts
 * and port are each other's peer, and FSMs reestablishing the same channel find each other by
 * its id. The registry also finds a running FSM for a returning client (aesc_fsm `where/2`) and
 * keeps each participant's last state for a reestablish (aesc_state_cache).
 */
import type { Encoded, OffChainState } from '@ch/codec';
import type { SignedRound } from './channel-state.js';
import type { ChannelFsm } from './fsm.js';
import { connectPeers } from './link.js';
import type { ChannelOptions, Role } from './options.js';
import type { ChannelAcceptMsg } from './peer-messages.js';

/** What a participant left a channel with: enough to start an FSM at the same round. */
export interface CachedChannel {
  readonly fsmId: Encoded<'ba'>;
  readonly options: ChannelOptions;
  readonly minimumDepthParams: ChannelAcceptMsg | undefined;
  readonly signed: SignedRound;
  readonly trees: OffChainState;
}

type Pair = { initiator?: ChannelFsm; responder?: ChannelFsm };

export class ChannelRegistry {
  readonly #waiting = new Map<string, Pair>();
  readonly #live = new Set<ChannelFsm>();
  readonly #cache = new Map<string, CachedChannel>();

  /** Adds a new FSM; connects it at once if its counterpart is already waiting. */
  add(fsm: ChannelFsm): void {
    this.#live.add(fsm);
    this.#pair(fsm);
  }

  /** A keep-running responder that lost its peer waits for it to reestablish. */
  awaitPeer(fsm: ChannelFsm): void {
    this.#pair(fsm);
  }

  #pair(fsm: ChannelFsm): void {
    const k = pairingKey(fsm);
    const role = fsm.options.role;
    const slot = this.#waiting.get(k) ?? {};
    const other = role === 'initiator' ? slot.responder : slot.initiator;
    if (other === undefined || other.stopped) {
      this.#waiting.set(k, { ...slot, [role]: fsm });
      return;
    }
    this.#waiting.delete(k);
    const [init, resp] = role === 'initiator' ? [fsm, other] : [other, fsm];
    const [initEnd, respEnd] = connectPeers(
      (msg) => init.deliver({ kind: 'peer', msg }),
      (msg) => resp.deliver({ kind: 'peer', msg }),
    );
    // A responder still open from before is told the peer is back; a new one simply has it.
    if (resp.state === 'open') resp.deliver({ kind: 'connected', peer: respEnd });
    else resp.peer = respEnd;
    init.deliver({ kind: 'connected', peer: initEnd });
  }

  /** The running FSM of `role` in the channel, if any. */
  live(channelId: Encoded<'ch'>, role: Role): ChannelFsm | undefined {
    for (const fsm of this.#live) if (fsm.channelId === channelId && fsm.options.role === role && !fsm.stopped) return fsm;
    return undefined;
  }

  /** cache_state/1: the FSM's latest co-signed state, under its id. */
  cache(fsm: ChannelFsm): void {
    const signed = fsm.channel.signed;
    if (fsm.channelId === undefined || signed === undefined) return;
    this.#cache.set(cacheKey(fsm.channelId, fsm.myAccount), {
      fsmId: fsm.fsmId,
      options: fsm.options,
      minimumDepthParams: fsm.minimumDepthParams,
      signed,
      trees: fsm.channel.trees,
    });
  }

  cached(channelId: Encoded<'ch'>, account: Encoded<'ak'>): CachedChannel | undefined {
    return this.#cache.get(cacheKey(channelId, account));
  }

  /** Stops every FSM (the node is shutting down). */
  stopAll(): void {
    for (const fsm of this.#live) fsm.stop();
  }

  /** Forgets a stopped FSM (and anything it waited for); a closed channel's states are of no more use. */
  remove(fsm: ChannelFsm, closed: boolean): void {
    this.#live.delete(fsm);
    if (closed && fsm.channelId !== undefined) this.#cache.delete(cacheKey(fsm.channelId, fsm.myAccount));
    const k = pairingKey(fsm);
    const slot = this.#waiting.get(k);
    const role = fsm.options.role;
    if (slot?.[role] !== fsm) return;
    const rest = { ...slot, [role]: undefined };
    if (rest.initiator === undefined && rest.responder === undefined) this.#waiting.delete(k);
    else this.#waiting.set(k, rest);
  }
}

/** A new channel is named by its accounts and the responder's port; one being reestablished by its id. */
function pairingKey(fsm: ChannelFsm): string {
  const { initiator, responder, port } = fsm.options;
  return fsm.channel.signed === undefined ? `open ${initiator} ${responder} ${port}` : `reestablish ${fsm.channelId}`;
}

function cacheKey(channelId: Encoded<'ch'>, account: Encoded<'ak'>): string {
  return `${channelId} ${account}`;
}
