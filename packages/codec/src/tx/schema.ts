/**
 * Every object this codec knows, by tag and version, with its fields in serialization order
 * (aeser_chain_objects templates, spec §5.1). Field names are the node's, in camelCase, except that
 * a signed tx's `transaction` is `encodedTx` as in aepp-sdk-js. The TypeScript types of decoded
 * objects are derived from this table, so it is the one place a field is declared.
 */
import { apiString, binary, id, int, listOf, payload, signatures, signedTx, unsignedTx, update, type FieldCodec, type Nested } from './fields.js';
import { Tag, type TxTag, type UnsignedTxTag, type UpdateTag } from './tags.js';

const account = id('ak');
const channel = id('ch');
const contract = id('ct');
const accounts = listOf(account);
const stateHash = apiString('st');

export const SCHEMA = {
  [Tag.Account]: {
    1: { nonce: int, balance: int },
    2: { flags: int, nonce: int, balance: int, gaContract: contract, gaAuthFun: binary },
    3: { flags: int, nonce: int, balance: int },
  },
  [Tag.SignedTx]: {
    1: { signatures, encodedTx: unsignedTx },
  },
  [Tag.SpendTx]: {
    1: { senderId: account, recipientId: id('ak', 'nm', 'ok', 'ct'), amount: int, fee: int, ttl: int, nonce: int, payload: binary },
  },
  [Tag.ChannelCreateTx]: {
    1: {
      initiatorId: account, initiatorAmount: int, responderId: account, responderAmount: int, channelReserve: int,
      lockPeriod: int, ttl: int, fee: int, delegateIds: accounts, stateHash, nonce: int,
    },
    2: {
      initiatorId: account, initiatorAmount: int, responderId: account, responderAmount: int, channelReserve: int,
      lockPeriod: int, ttl: int, fee: int, initiatorDelegateIds: accounts, responderDelegateIds: accounts, stateHash, nonce: int,
    },
  },
  [Tag.ChannelDepositTx]: {
    1: { channelId: channel, fromId: account, amount: int, ttl: int, fee: int, stateHash, round: int, nonce: int },
  },
  [Tag.ChannelWithdrawTx]: {
    1: { channelId: channel, toId: account, amount: int, ttl: int, fee: int, stateHash, round: int, nonce: int },
  },
  [Tag.ChannelCloseMutualTx]: {
    1: { channelId: channel, fromId: account, initiatorAmountFinal: int, responderAmountFinal: int, ttl: int, fee: int, nonce: int },
  },
  [Tag.ChannelCloseSoloTx]: {
    1: { channelId: channel, fromId: account, payload, poi: apiString('pi'), ttl: int, fee: int, nonce: int },
  },
  [Tag.ChannelSlashTx]: {
    1: { channelId: channel, fromId: account, payload, poi: apiString('pi'), ttl: int, fee: int, nonce: int },
  },
  [Tag.ChannelSettleTx]: {
    1: { channelId: channel, fromId: account, initiatorAmountFinal: int, responderAmountFinal: int, ttl: int, fee: int, nonce: int },
  },
  [Tag.ChannelOffChainTx]: {
    1: { channelId: channel, round: int, updates: listOf(update), stateHash },
    2: { channelId: channel, round: int, stateHash },
  },
  [Tag.Channel]: {
    1: {
      initiatorId: account, responderId: account, channelAmount: int, initiatorAmount: int, responderAmount: int,
      channelReserve: int, delegateIds: accounts, stateHash, round: int, soloRound: int, lockPeriod: int, lockedUntil: int,
    },
    2: {
      initiatorId: account, responderId: account, channelAmount: int, initiatorAmount: int, responderAmount: int,
      channelReserve: int, delegateIds: accounts, stateHash, round: int, soloRound: int, lockPeriod: int, lockedUntil: int,
      initiatorAuth: binary, responderAuth: binary,
    },
    3: {
      initiatorId: account, responderId: account, channelAmount: int, initiatorAmount: int, responderAmount: int,
      channelReserve: int, initiatorDelegateIds: accounts, responderDelegateIds: accounts, stateHash, round: int,
      soloRound: int, lockPeriod: int, lockedUntil: int, initiatorAuth: binary, responderAuth: binary,
    },
  },
  [Tag.ChannelSnapshotSoloTx]: {
    1: { channelId: channel, fromId: account, payload, ttl: int, fee: int, nonce: int },
  },
  [Tag.GaMetaTx]: {
    1: { gaId: account, authData: binary, abiVersion: int, fee: int, gas: int, gasPrice: int, ttl: int, tx: signedTx },
    2: { gaId: account, authData: binary, abiVersion: int, fee: int, gas: int, gasPrice: int, tx: signedTx },
  },
  [Tag.ChannelSetDelegatesTx]: {
    1: {
      channelId: channel, fromId: account, initiatorDelegateIds: accounts, responderDelegateIds: accounts, payload,
      stateHash, round: int, ttl: int, fee: int, nonce: int,
    },
  },
  [Tag.ChannelForceProgressTx]: {
    1: {
      channelId: channel, fromId: account, payload, round: int, update, stateHash, offchainTrees: apiString('ss'),
      ttl: int, fee: int, nonce: int,
    },
  },
  [Tag.ChannelOffChainUpdateTransfer]: { 1: { from: account, to: account, amount: int } },
  [Tag.ChannelOffChainUpdateDeposit]: { 1: { from: account, amount: int } },
  [Tag.ChannelOffChainUpdateWithdraw]: { 1: { to: account, amount: int } },
  [Tag.ChannelOffChainUpdateCreateContract]: {
    // ctVersion packs the VM and ABI versions into one integer (aect_contracts:pack_vm_abi).
    1: { owner: account, ctVersion: int, code: binary, deposit: int, callData: binary },
  },
  [Tag.ChannelOffChainUpdateCallContract]: {
    1: { caller: account, contract, abiVersion: int, amount: int, gas: int, gasPrice: int, callData: binary, callStack: listOf(int) },
  },
  [Tag.ChannelOffChainUpdateMeta]: {
    2: { data: binary },
  },
} satisfies Record<Tag, Record<number, Record<string, FieldCodec<unknown>>>>;

type Schema = typeof SCHEMA;
/** Flattens an intersection so editors show one object type. */
type Simplify<T> = { [K in keyof T]: T[K] } & {};
interface NestedTypes {
  signedTx: SignedTx;
  unsignedTx: UnsignedTx;
  update: ChannelOffChainUpdate;
}
type Resolve<T> = T extends Nested<infer K> ? NestedTypes[K] : T extends readonly (infer E)[] ? Resolve<E>[] : T;
type Value<C> = C extends FieldCodec<infer T> ? Resolve<T> : never;
type ObjectAt<T extends Tag, V extends keyof Schema[T]> = Simplify<
  { tag: T; version: V } & { -readonly [K in keyof Schema[T][V]]: Value<Schema[T][V][K]> }
>;

/** The decoded object of a tag, as a union over its versions. */
export type ObjectOf<T extends Tag> = T extends Tag ? { [V in keyof Schema[T]]: ObjectAt<T, V> }[keyof Schema[T]] : never;

/** Any object of the table, discriminated by `tag` (and `version`). */
export type ChainObject = { [T in Tag]: ObjectOf<T> }[Tag];
/** Any transaction: what a `tx_` string holds. */
export type Tx = ObjectOf<TxTag>;
/** Any transaction but the signed-tx wrapper: what a signed tx holds. */
export type UnsignedTx = ObjectOf<UnsignedTxTag>;
export type ChannelOffChainUpdate = ObjectOf<UpdateTag>;

export type Account = ObjectOf<typeof Tag.Account>;
export type SignedTx = ObjectOf<typeof Tag.SignedTx>;
export type SpendTx = ObjectOf<typeof Tag.SpendTx>;
export type ChannelCreateTx = ObjectOf<typeof Tag.ChannelCreateTx>;
export type ChannelDepositTx = ObjectOf<typeof Tag.ChannelDepositTx>;
export type ChannelWithdrawTx = ObjectOf<typeof Tag.ChannelWithdrawTx>;
export type ChannelCloseMutualTx = ObjectOf<typeof Tag.ChannelCloseMutualTx>;
export type ChannelCloseSoloTx = ObjectOf<typeof Tag.ChannelCloseSoloTx>;
export type ChannelSlashTx = ObjectOf<typeof Tag.ChannelSlashTx>;
export type ChannelSettleTx = ObjectOf<typeof Tag.ChannelSettleTx>;
export type ChannelOffChainTx = ObjectOf<typeof Tag.ChannelOffChainTx>;
export type Channel = ObjectOf<typeof Tag.Channel>;
export type ChannelSnapshotSoloTx = ObjectOf<typeof Tag.ChannelSnapshotSoloTx>;
export type GaMetaTx = ObjectOf<typeof Tag.GaMetaTx>;
export type ChannelSetDelegatesTx = ObjectOf<typeof Tag.ChannelSetDelegatesTx>;
export type ChannelForceProgressTx = ObjectOf<typeof Tag.ChannelForceProgressTx>;
