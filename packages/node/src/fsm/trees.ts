/**
 * The off-chain state as `channels.get.offchain_state` serves it (protocol-facts §1.7): `ss_`, the
 * state trees as key/value lists per tree, and `cs_`, the calls tree. This node runs no contracts,
 * so every tree but the accounts one is empty.
 */
import { compareBytes, encode, encodeInt, rlpEncode, type Encoded, type OffChainState, type RlpItem, type TrieEntry } from '@ch/codec';

function chainObject(tag: number, version: number, fields: readonly RlpItem[]): Uint8Array {
  return rlpEncode([encodeInt(BigInt(tag)), encodeInt(BigInt(version)), ...fields]);
}

/** One tree: `[62x, 1, [63, 1, [[64, 1, key, value] …]]]`, entries as the node lists them (keys descending). */
function tree(tag: number, entries: readonly TrieEntry[]): Uint8Array {
  const sorted = [...entries].sort((a, b) => compareBytes(b[0], a[0]));
  return chainObject(tag, 1, [chainObject(63, 1, [sorted.map(([key, value]) => chainObject(64, 1, [key, value]))])]);
}

const TREE_TAGS = { contracts: 621, calls: 622, channels: 623, ns: 624, oracles: 625, accounts: 626 } as const;

/** `[62, 0, contracts, calls, channels, ns, oracles, accounts]` (aec_trees serialization order). */
export function stateTrees(state: OffChainState): Encoded<'ss'> {
  const { accounts, ...empty } = TREE_TAGS;
  return encode(chainObject(62, 0, [...Object.values(empty).map((tag) => tree(tag, [])), tree(accounts, state.accountEntries())]), 'ss');
}

/** The calls of the channel's contracts: none here. */
export function callStateTree(): Encoded<'cs'> {
  return encode(tree(TREE_TAGS.calls, []), 'cs');
}
