/** Off-chain updates and contract calls: proposing transfers, creating and calling contracts, reading calls back. */
import { accountId, amount, bytearray, channelId, contractId, counter, version } from '../fields.js';
import { optionParams } from '../operations.js';
import { array, json, literal, object, string, type Infer } from '../schema.js';
import { ok, type ClientMethodSpec, type NodeMethodSpec } from './spec.js';


const contractCallParams = object({ contract_id: contractId, abi_version: version, amount, call_data: bytearray, ...optionParams('callContract') });

/** A contract call's outcome, as the node serialises it for clients (aect_call). */
export const contractCall = object({
  caller_id: accountId,
  caller_nonce: counter,
  contract_id: contractId,
  gas_price: amount,
  gas_used: amount,
  height: counter,
  // Event logs; empty in every recorded call, so kept as plain JSON.
  log: array(json),
  return_type: literal('ok', 'error', 'revert'),
  return_value: bytearray,
});
export type ContractCall = Infer<typeof contractCall>;

const callsPruned = object({ action: literal('calls_pruned') });

export const offChainClientMethods = {
  'channels.update.new': { params: object({ from: accountId, to: accountId, amount, ...optionParams('transfer') }), result: ok },
  'channels.update.new_contract': {
    params: object({ vm_version: version, abi_version: version, deposit: amount, code: bytearray, call_data: bytearray, ...optionParams('createContract') }),
    result: ok,
  },
  'channels.update.call_contract': { params: contractCallParams, result: ok },
  /** Runs a call against the current state without proposing an update. */
  'channels.dry_run.call_contract': { params: contractCallParams, result: contractCall },
  'channels.get.contract_call': { params: object({ caller_id: accountId, contract_id: contractId, round: counter }), result: contractCall },
  /** Forgets the results of local contract calls. */
  'channels.clean_contract_calls': { params: object({}), result: callsPruned },
  /** A free-form message to the other participant, relayed by the nodes. */
  'channels.message': { params: object({ to: accountId, info: string }), result: ok },
} as const satisfies Record<string, ClientMethodSpec>;

/** Calls sent without an id are answered by these notifications instead of a reply. */
export const offChainNodeMethods = {
  'channels.dry_run.call_contract.reply': { data: contractCall },
  'channels.get.contract_call.reply': { data: contractCall },
  'channels.calls_pruned.reply': { data: callsPruned },
  'channels.message': { data: object({ message: object({ channel_id: channelId, from: accountId, to: accountId, info: string }) }) },
} as const satisfies Record<string, NodeMethodSpec>;
