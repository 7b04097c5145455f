/**
 * The channel transactions an FSM builds for its client to sign (aesc_fsm `new_onchain_tx/7`,
 * aesc_offchain_state `make_update_tx/7`). Txs go out wrapped in a signed tx with no signatures,
 * as `aetx_sign:new(Tx, [])` does.
 */
import { buildTx, encode, Tag, type ChannelCreateTx, type Encoded, type OffChainState, type UnsignedTx } from '@ch/codec';
import type { ChainAccess } from './chain-access.js';
import type { ChannelOptions } from './options.js';

/** An unsigned tx in the signed-tx wrapper the node hands to clients. */
export function unsigned(tx: UnsignedTx): Encoded<'tx'> {
  return buildTx({ tag: Tag.SignedTx, version: 1, signatures: [], encodedTx: tx });
}

/**
 * Builds with the smallest fee the chain accepts (aesc_fsm `create_with_minimum_fee/5`): the fee is
 * part of the tx, so raising it can raise the size-based minimum; five tries, as the node makes.
 */
function withMinimumFee<T extends UnsignedTx & { fee: bigint }>(build: (fee: bigint) => T, chain: ChainAccess): T {
  let tx = build(0n);
  for (let attempt = 0; attempt < 5; attempt++) {
    const minFee = chain.minFee(buildTx(tx));
    if (minFee <= tx.fee) return tx;
    tx = build(minFee);
  }
  throw new Error('could not compute the minimum fee');
}

/** The create tx: unadjusted amounts, the hash of the pushed initial state (protocol-facts §1.6). */
export function createTx(opts: ChannelOptions, initial: OffChainState, version: 1 | 2, chain: ChainAccess): Encoded<'tx'> {
  const common = {
    initiatorId: opts.initiator,
    initiatorAmount: opts.initiatorAmount,
    responderId: opts.responder,
    responderAmount: opts.responderAmount,
    channelReserve: opts.channelReserve,
    lockPeriod: opts.lockPeriod,
    ttl: opts.ttl ?? 0n,
    stateHash: encode(initial.stateHash(), 'st'),
    nonce: opts.nonce ?? chain.nextNonce(opts.initiator),
  };
  const build = (fee: bigint): ChannelCreateTx =>
    version === 1
      ? { tag: Tag.ChannelCreateTx, version: 1, ...common, fee, delegateIds: [] }
      : { tag: Tag.ChannelCreateTx, version: 2, ...common, fee, initiatorDelegateIds: [], responderDelegateIds: [] };
  return unsigned(opts.fee === undefined ? withMinimumFee(build, chain) : build(opts.fee));
}

/** An off-chain round: `[57, 2, channel, round, state_hash]`. */
export function offChainTx(channelId: Encoded<'ch'>, round: bigint, state: OffChainState): Encoded<'tx'> {
  return unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId, round, stateHash: encode(state.stateHash(), 'st') });
}
