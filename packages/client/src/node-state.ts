/**
 * The node's own account of the channel's state, believed only once checked: the co-signed tx and
 * full trees of `channels.get.offchain_state`. The trees also give the balances of a co-signed state
 * this client did not see being made (it reestablished from an older record).
 */
import { accountBalance, decodeStateTrees, encode, OffChainState, stateTreesHash, toHex, type Encoded, type UnsignedTx } from '@ch/codec';
import type { OffChainState as NodeOffChainState } from '@ch/rpc';
import { signedBy, unwrap, type CoSignedState } from './checks.js';

/** The round a channel tx sets: the create tx founds round 1. */
export function roundOf(tx: UnsignedTx): bigint {
  return 'round' in tx ? tx.round : 1n;
}

/** Why the node's off-chain state is not to be believed (undefined if it is): both must have signed, and the trees must hash to it. */
export function checkNodeState(node: NodeOffChainState, networkId: string, parties: readonly Encoded<'ak'>[]): string | undefined {
  const inner = unwrap(node.signed_tx).inner;
  if (!('stateHash' in inner) || !signedBy(node.signed_tx, networkId, parties)) return "the node's off-chain state is not a co-signed state";
  return encode(stateTreesHash(node.trees), 'st') === inner.stateHash ? undefined : "the node's trees do not hash to its co-signed state";
}

/** The node's co-signed state with the balances its trees hold, or why they cannot be taken (contracts, a mismatch). */
export function stateFromTrees(node: NodeOffChainState): CoSignedState | string {
  const inner = unwrap(node.signed_tx).inner;
  if (!('stateHash' in inner)) return 'the tx has no state hash';
  const trees = decodeStateTrees(node.trees);
  const state = new OffChainState(trees.accounts.map(([key, value]) => [toHex(key), accountBalance(value)]));
  if (encode(state.stateHash(), 'st') !== inner.stateHash || encode(stateTreesHash(trees), 'st') !== inner.stateHash) {
    return 'its state holds more than balances, or the trees do not match it';
  }
  return { round: roundOf(inner), tx: node.signed_tx, state };
}
