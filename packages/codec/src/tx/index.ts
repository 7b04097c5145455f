export { Tag, tagName, type TxTag, type UnsignedTxTag, type UpdateTag } from './tags.js';
export type {
  ObjectOf,
  ChainObject,
  Tx,
  UnsignedTx,
  ChannelOffChainUpdate,
  Account,
  SignedTx,
  SpendTx,
  ChannelCreateTx,
  ChannelDepositTx,
  ChannelWithdrawTx,
  ChannelCloseMutualTx,
  ChannelCloseSoloTx,
  ChannelSlashTx,
  ChannelSettleTx,
  ChannelOffChainTx,
  Channel,
  ChannelSnapshotSoloTx,
  GaMetaTx,
  ChannelSetDelegatesTx,
  ChannelForceProgressTx,
} from './schema.js';
export { deserializeObject, serializeObject } from './object.js';
export { unpackTx, buildTx } from './tx.js';
export { channelIdFromCreateTx } from './channel-id.js';
