/**
 * Pairs the two FSMs of a channel being opened. On a real network the initiator's node dials the
 * responder's host:port; both clients of this node connect here, so an initiator and a responder
 * with the same accounts and port are each other's peer.
 */
import type { Encoded } from '@ch/codec';
import type { ChannelFsm } from './fsm.js';
import { connectPeers } from './link.js';

function key(initiator: Encoded<'ak'>, responder: Encoded<'ak'>, port: number): string {
  return `${initiator} ${responder} ${port}`;
}

export class ChannelRegistry {
  readonly #waiting = new Map<string, { initiator?: ChannelFsm; responder?: ChannelFsm }>();

  /** Adds a new FSM; connects it at once if its counterpart is already waiting. */
  add(fsm: ChannelFsm): void {
    const { initiator, responder, port, role } = fsm.options;
    const k = key(initiator, responder, port);
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
    resp.peer = respEnd;
    init.deliver({ kind: 'connected', peer: initEnd });
  }

  /** Forgets an FSM that stopped before it found its peer. */
  remove(fsm: ChannelFsm): void {
    const { initiator, responder, port, role } = fsm.options;
    const k = key(initiator, responder, port);
    const slot = this.#waiting.get(k);
    if (slot?.[role] !== fsm) return;
    const rest = { ...slot, [role]: undefined };
    if (rest.initiator === undefined && rest.responder === undefined) this.#waiting.delete(k);
    else this.#waiting.set(k, rest);
  }
}
