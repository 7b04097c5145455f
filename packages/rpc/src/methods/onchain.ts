/** Operations that end in an on-chain tx: deposits, withdrawals, closing, disputes. */
import { amount, blockHash, bytearray, contractId, meta, txHash, version } from '../fields.js';
import { object, optional } from '../schema.js';
import { ok, type ClientMethodSpec } from './spec.js';

const feeOnly = { params: object({ fee: optional(amount) }), result: ok };
/** Deposits and withdrawals (sc_ws_api_jsonrpc.erl `onchain_params/0` plus `meta`). */
const transferOnChain = {
  params: object({ amount, fee: optional(amount), block_hash: optional(blockHash), meta: optional(meta) }),
  result: ok,
};

export const onChainClientMethods = {
  'channels.deposit': transferOnChain,
  'channels.withdraw': transferOnChain,
  /** Mutual close. */
  'channels.shutdown': feeOnly,
  'channels.close_solo': feeOnly,
  'channels.snapshot_solo': feeOnly,
  'channels.slash': feeOnly,
  'channels.settle': feeOnly,
  /** Forces a contract call on chain, for a channel the other side has stopped co-signing. */
  'channels.force_progress': {
    params: object({ contract_id: contractId, abi_version: version, amount, call_data: bytearray, gas_price: amount }),
    result: ok,
  },
  /** Skip waiting for a tx's minimum depth. */
  'channels.assume_minimum_depth': { params: object({ tx_hash: txHash }), result: ok },
} as const satisfies Record<string, ClientMethodSpec>;
