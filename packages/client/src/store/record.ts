/** Co-signed states as the store keeps them, and the record of a channel at a moment. */
import { OffChainState, type Encoded } from '@ch/codec';
import type { ChannelTerms, CoSignedState } from '../checks.js';
import type { Role } from '../signer.js';
import type { ChannelRecord, StoredState } from './store.js';

export function toStored(s: CoSignedState): StoredState {
  return { round: s.round, tx: s.tx, balances: [...s.state.balances] };
}

export function fromStored(s: StoredState): CoSignedState {
  return { round: s.round, tx: s.tx, state: new OffChainState(s.balances) };
}

export interface ChannelSnapshot {
  readonly channelId: Encoded<'ch'>;
  readonly role: Role;
  readonly networkId: string;
  readonly terms: ChannelTerms;
  readonly fsmId: Encoded<'ba'> | undefined;
  /** The last confirmed co-signed state; while the create tx is being signed, the state it founds. */
  readonly state: CoSignedState;
  readonly pending: CoSignedState | undefined;
}

export function recordOf(s: ChannelSnapshot): ChannelRecord {
  return {
    channelId: s.channelId,
    role: s.role,
    networkId: s.networkId,
    terms: s.terms,
    ...(s.fsmId && { fsmId: s.fsmId }),
    state: toStored(s.state),
    ...(s.pending && s.pending !== s.state && { pending: toStored(s.pending) }),
  };
}
