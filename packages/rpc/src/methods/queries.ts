/** Reading the channel's off-chain state. */
import { encoded, accountId, amount, contractId, transaction, version } from '../fields.js';
import { DataCode } from '../catalogue.js';
import { anyOf, array, boolean, coded, literal, object, optional, record, type Infer } from '../schema.js';
import type { ClientMethodSpec, NodeMethodSpec } from './spec.js';

const accounts = coded(DataCode.BROKEN_ACCOUNT_PUBKEY, array(accountId));
const contracts = coded(DataCode.BROKEN_CONTRACT_PUBKEY, array(contractId));

export const balances = array(object({ account: accountId, balance: amount }));
export type Balances = Infer<typeof balances>;

export const contractState = object({
  contract: object({
    abi_version: version,
    active: boolean,
    deposit: amount,
    id: contractId,
    owner_id: accountId,
    referrer_ids: array(accountId),
    vm_version: version,
  }),
  contract_state: record(encoded('ck'), encoded('cv')),
});
export type ContractState = Infer<typeof contractState>;

export const offChainState = object({
  calls: encoded('cs'),
  /** Empty unless a signing round is in flight. */
  half_signed_tx: anyOf(literal(''), transaction),
  signed_tx: transaction,
  trees: encoded('ss'),
});
export type OffChainState = Infer<typeof offChainState>;

const poi = object({ poi: encoded('pi') });

export const queryClientMethods = {
  'channels.get.balances': { params: object({ accounts }), result: balances },
  'channels.get.contract': { params: object({ pubkey: contractId }), result: contractState },
  'channels.get.offchain_state': { params: object({}), result: offChainState },
  /** A proof of inclusion for the given accounts and contracts (both default to none). */
  'channels.get.poi': { params: object({ accounts: optional(accounts), contracts: optional(contracts) }), result: poi },
} as const satisfies Record<string, ClientMethodSpec>;

/** What a query sent without an id is answered with (sc_ws_api_jsonrpc `reply/3`). */
export const queryNodeMethods = {
  'channels.get.balances.reply': { data: balances },
  'channels.get.offchain_state.reply': { data: offChainState },
  'channels.get.poi.reply': { data: poi },
} as const satisfies Record<string, NodeMethodSpec>;
