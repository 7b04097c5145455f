/** The connection itself: keep-alive, leaving, and what the node reports on its own. */
import { conflict, channelInfo, onChainTx } from '../events.js';
import { transaction } from '../fields.js';
import { anyOf, literal, object, string } from '../schema.js';
import { ok, type ClientMethodSpec, type NodeMethodSpec } from './spec.js';

const pong = object({ action: literal('system'), tag: literal('pong') });
/** A co-signed state: the latest after an update, or the one to keep when leaving. */
const state = object({ state: transaction });

export const sessionClientMethods = {
  /** `ping` is answered with `channels.system.pong` (or a pong result when sent with an id); `stop` ends the FSM. */
  'channels.system': { params: object({ action: literal('ping', 'stop') }), result: anyOf(ok, pong) },
  /** Leave the channel open on chain; the node answers with `channels.leave` and the state to keep. */
  'channels.leave': { params: object({}), result: ok },
} as const satisfies Record<string, ClientMethodSpec>;

export const sessionNodeMethods = {
  'channels.info': { data: channelInfo },
  'channels.on_chain_tx': { data: onChainTx },
  'channels.conflict': { data: conflict },
  'channels.update': { data: state },
  'channels.leave': { data: state },
  'channels.system.pong': { data: pong },
  /**
   * A signed tx the node could not accept (`bad_signature`, `wrong_round`, …; aesc_fsm
   * `report(error, …)`), followed by a conflict. Not in the recorded transcripts.
   */
  'channels.error': { data: object({ message: string }) },
} as const satisfies Record<string, NodeMethodSpec>;
