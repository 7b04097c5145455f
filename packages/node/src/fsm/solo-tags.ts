/**
 * The txs a client signs alone (aesc_fsm ?SOLO_TRANSACTIONS), by the call that asks for them, with
 * the tag of their sign request from the protocol catalogue. Below both solo.ts and updates.ts.
 */
import { OPERATIONS, SIGN_REQUESTS, type SignTag } from '@ch/rpc';

export const SOLO_SIGN_TAGS = {
  close_solo: SIGN_REQUESTS[OPERATIONS.closeSolo.sign].tag,
  snapshot_solo: SIGN_REQUESTS[OPERATIONS.snapshot.sign].tag,
  slash: SIGN_REQUESTS[OPERATIONS.slash.sign].tag,
  settle: SIGN_REQUESTS[OPERATIONS.settle.sign].tag,
} as const;

const SOLO_TAGS: ReadonlySet<SignTag> = new Set(Object.values(SOLO_SIGN_TAGS));

export function isSoloTag(tag: SignTag): boolean {
  return SOLO_TAGS.has(tag);
}
