/** Operations that end in an on-chain tx: deposits, withdrawals, closing, disputes. */
import { amount, bytearray, contractId, txHash, version } from '../fields.js';
import { optionParams } from '../operations.js';
import { object } from '../schema.js';
import { ok, type ClientMethodSpec } from './spec.js';

/** The solo txs and the mutual close take nothing but their options. */
const optionsOnly = (operation: 'shutdown' | 'closeSolo' | 'snapshot' | 'slash' | 'settle') => ({ params: object(optionParams(operation)), result: ok });

export const onChainClientMethods = {
  'channels.deposit': { params: object({ amount, ...optionParams('deposit') }), result: ok },
  'channels.withdraw': { params: object({ amount, ...optionParams('withdraw') }), result: ok },
  /** Mutual close. */
  'channels.shutdown': optionsOnly('shutdown'),
  'channels.close_solo': optionsOnly('closeSolo'),
  'channels.snapshot_solo': optionsOnly('snapshot'),
  'channels.slash': optionsOnly('slash'),
  'channels.settle': optionsOnly('settle'),
  /** Forces a contract call on chain, for a channel the other side has stopped co-signing. */
  'channels.force_progress': {
    params: object({ contract_id: contractId, abi_version: version, amount, call_data: bytearray, gas_price: amount, ...optionParams('forceProgress') }),
    result: ok,
  },
  /** Skip waiting for a tx's minimum depth. */
  'channels.assume_minimum_depth': { params: object({ tx_hash: txHash }), result: ok },
} as const satisfies Record<string, ClientMethodSpec>;
