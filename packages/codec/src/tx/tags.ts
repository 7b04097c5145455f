/** Object tags of aeser_chain_objects (spec §5.1): the first field of every serialized object. */
export const Tag = {
  Account: 10,
  SignedTx: 11,
  SpendTx: 12,
  ChannelCreateTx: 50,
  ChannelDepositTx: 51,
  ChannelWithdrawTx: 52,
  ChannelCloseMutualTx: 53,
  ChannelCloseSoloTx: 54,
  ChannelSlashTx: 55,
  ChannelSettleTx: 56,
  ChannelOffChainTx: 57,
  Channel: 58,
  ChannelSnapshotSoloTx: 59,
  GaMetaTx: 81,
  ChannelSetDelegatesTx: 501,
  ChannelForceProgressTx: 521,
  ChannelOffChainUpdateTransfer: 570,
  ChannelOffChainUpdateDeposit: 571,
  ChannelOffChainUpdateWithdraw: 572,
  ChannelOffChainUpdateCreateContract: 573,
  ChannelOffChainUpdateCallContract: 574,
  ChannelOffChainUpdateMeta: 576,
} as const;
export type Tag = (typeof Tag)[keyof typeof Tag];

const NAMES = new Map<number, string>(Object.entries(Tag).map(([name, tag]) => [tag, name]));

/** `tagName(57)` → `'ChannelOffChainTx'`, for messages. */
export function tagName(tag: number): string {
  return NAMES.get(tag) ?? `tag ${tag}`;
}

/** Transactions other than the signed-tx wrapper: what a signed tx may hold. */
const UNSIGNED_TX_TAG_LIST = [
  Tag.SpendTx,
  Tag.ChannelCreateTx,
  Tag.ChannelDepositTx,
  Tag.ChannelWithdrawTx,
  Tag.ChannelCloseMutualTx,
  Tag.ChannelCloseSoloTx,
  Tag.ChannelSlashTx,
  Tag.ChannelSettleTx,
  Tag.ChannelOffChainTx,
  Tag.ChannelSnapshotSoloTx,
  Tag.GaMetaTx,
  Tag.ChannelSetDelegatesTx,
  Tag.ChannelForceProgressTx,
] as const;
export type UnsignedTxTag = (typeof UNSIGNED_TX_TAG_LIST)[number];
export const UNSIGNED_TX_TAGS: ReadonlySet<number> = new Set(UNSIGNED_TX_TAG_LIST);

/** What a `tx_` string may hold: a signed tx or a bare one. */
export type TxTag = typeof Tag.SignedTx | UnsignedTxTag;
export const TX_TAGS: ReadonlySet<number> = new Set([Tag.SignedTx, ...UNSIGNED_TX_TAG_LIST]);

const UPDATE_TAG_LIST = [
  Tag.ChannelOffChainUpdateTransfer,
  Tag.ChannelOffChainUpdateDeposit,
  Tag.ChannelOffChainUpdateWithdraw,
  Tag.ChannelOffChainUpdateCreateContract,
  Tag.ChannelOffChainUpdateCallContract,
  Tag.ChannelOffChainUpdateMeta,
] as const;
export type UpdateTag = (typeof UPDATE_TAG_LIST)[number];
export const UPDATE_TAGS: ReadonlySet<number> = new Set(UPDATE_TAG_LIST);

export const SIGNED_TX_TAGS: ReadonlySet<number> = new Set([Tag.SignedTx]);
export const ALL_TAGS: ReadonlySet<number> = new Set(NAMES.keys());

const SINGLETONS = new Map([...ALL_TAGS].map((tag) => [tag, new Set([tag])]));

/** The set holding just `tag`, for callers that expect one kind of object. */
export function onlyTag(tag: number): ReadonlySet<number> {
  return SINGLETONS.get(tag) ?? new Set([tag]);
}
