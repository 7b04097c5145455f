/**
 * Node vintages whose channel FSM behaves differently on the wire (protocol-facts §3.1–3.4).
 * `seed` is the node of 5 Sep 2019 (commit 82ee809) that recorded the seed transcript; `current`
 * is the node at HEAD. Everything else is the same in both.
 */
export type ProfileName = 'seed' | 'current';

export interface Profile {
  readonly name: ProfileName;
  /**
   * A conflict `update_error` that reaches an FSM already back in `open` is reported to the client
   * again (2019, aesc_fsm@82ee809:1087-1091) rather than dropped as a straggler (HEAD, 5183-5197).
   */
  readonly reportStrayConflicts: boolean;
  /**
   * `{"error": N}` on a sign reply is a cast that falls back with a `channels.conflict` (2019), or a
   * call answered with `channels.info aborted_update` (HEAD, aesc_fsm.erl:4547-4579).
   */
  readonly abort: 'conflict' | 'aborted_update';
  /** The create tx version: 1 before Iris (one delegate list), 2 from Iris on (two). */
  readonly createTxVersion: 1 | 2;
  /** Conflict code 5 is reported as "rejected on-chain" (since Jan 2020, 7fa07ce94); before, as "unknown". */
  readonly namesOnChainRejection: boolean;
}

export const PROFILES: { readonly [N in ProfileName]: Profile } = {
  seed: { name: 'seed', reportStrayConflicts: true, abort: 'conflict', createTxVersion: 1, namesOnChainRejection: false },
  current: { name: 'current', reportStrayConflicts: false, abort: 'aborted_update', createTxVersion: 2, namesOnChainRejection: true },
};

export function isProfileName(name: unknown): name is ProfileName {
  return name === 'seed' || name === 'current';
}
