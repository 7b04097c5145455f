/** The events a `Channel` emits, with their arguments. */
import type { Encoded } from '@ch/codec';
import type { ChannelInfo, OffChainUpdate, OnChainTx, SignRequestMethod } from '@ch/rpc';
import type { CoSignedState } from './checks.js';
import type { ChannelError, RefusedError } from './errors.js';
import type { ReconnectAttempt } from './reconnect.js';
import type { ChannelStatus } from './state-machine.js';

export interface ConflictEvent {
  /** The last co-signed round, which both sides fell back to. */
  readonly round: bigint;
  readonly code: number;
  readonly message: string;
  /** True when no signing round was open: a straggler that settles nothing (the 2019 node's second conflict). */
  readonly stray: boolean;
}

export interface IncomingProposal {
  readonly method: SignRequestMethod;
  readonly tx: Encoded<'tx'>;
  readonly updates: readonly OffChainUpdate[];
}

export interface ChannelMessage {
  readonly from: Encoded<'ak'>;
  readonly to: Encoded<'ak'>;
  readonly info: string;
}

export interface ChannelEvents {
  [event: string]: readonly unknown[];
  status: [status: ChannelStatus, previous: ChannelStatus];
  /** Every `channels.info` the node sends. */
  info: [info: ChannelInfo];
  /** Every `channels.on_chain_tx` the node sends. */
  onChainTx: [tx: OnChainTx];
  /** A new co-signed state was adopted; `own` when it came from this client's operation. */
  state: [state: CoSignedState, own: boolean];
  /** The peer proposes something to co-sign; emitted before the checks run. */
  proposal: [proposal: IncomingProposal];
  message: [message: ChannelMessage];
  conflict: [conflict: ConflictEvent];
  /** This client refused to sign a request that failed a check. */
  refused: [error: RefusedError];
  error: [error: ChannelError];
  /** The socket closed unasked: attempt `attempt` to reconnect starts after `delayMs`. */
  reconnecting: [attempt: ReconnectAttempt];
  /** Open again after a lost socket, after `attempts` attempts. */
  reconnected: [info: { readonly attempts: number }];
}
