/**
 * Off-chain update ops, as the node lists them in `channels.sign.*` requests (`updates[]`),
 * told apart by `op` (aesc_offchain_update `for_client/1`).
 */
import { accountId, amount, bytearray, contractId, counter, version } from './fields.js';
import { array, literal, object, string, variant, type Infer } from './schema.js';

export const offChainTransfer = object({ op: literal('OffChainTransfer'), from: accountId, to: accountId, amount });
export const offChainDeposit = object({ op: literal('OffChainDeposit'), from: accountId, amount });
export const offChainWithdrawal = object({ op: literal('OffChainWithdrawal'), to: accountId, amount });
export const offChainNewContract = object({
  op: literal('OffChainNewContract'),
  owner: accountId,
  vm_version: version,
  abi_version: version,
  code: bytearray,
  deposit: amount,
  call_data: bytearray,
});
export const offChainCallContract = object({
  op: literal('OffChainCallContract'),
  caller_id: accountId,
  contract_id: contractId,
  abi_version: version,
  amount,
  call_data: bytearray,
  /** Integers (the node types them `[non_neg_integer()]`); empty in every recorded update. */
  call_stack: array(counter),
  gas: amount,
  gas_price: amount,
});
/** A free-form note carried in the round (`meta` of `channels.update.new`); changes no balance. */
export const offChainMeta = object({ op: literal('OffChainMeta'), data: string });

export const offChainUpdate = variant('op', [
  offChainTransfer,
  offChainDeposit,
  offChainWithdrawal,
  offChainNewContract,
  offChainCallContract,
  offChainMeta,
]);

export type OffChainTransfer = Infer<typeof offChainTransfer>;
export type OffChainDeposit = Infer<typeof offChainDeposit>;
export type OffChainWithdrawal = Infer<typeof offChainWithdrawal>;
export type OffChainNewContract = Infer<typeof offChainNewContract>;
export type OffChainCallContract = Infer<typeof offChainCallContract>;
export type OffChainMeta = Infer<typeof offChainMeta>;
export type OffChainUpdate = Infer<typeof offChainUpdate>;
export type OffChainOp = OffChainUpdate['op'];
