/**
 * The txs one participant posts alone with a co-signed state: channel_close_solo_tx (54),
 * channel_slash_tx (55) and channel_snapshot_solo_tx (59) (aesc_utils: check_solo_close_payload,
 * check_slash_payload, check_solo_snapshot_payload and their process_* functions).
 */
import type { ChannelCloseSoloTx, ChannelSlashTx, ChannelSnapshotSoloTx, SignedTx } from '@ch/codec';
import { requireActive, requireClosing, requirePeer, withCoSignedState, type ChannelObject, type ChannelState } from '../channels.js';
import { ChainError, ChainErrorCode } from '../errors.js';
import { payloadState, provenAmounts } from './payload.js';
import { postedAlone, type TxEnv } from './validator.js';

function requirePayload(payload: SignedTx | null, what: string): SignedTx {
  if (payload === null) throw new ChainError(ChainErrorCode.BAD_PAYLOAD, `${what} must carry a co-signed state`);
  return payload;
}

/**
 * `close_solo_int`: the state's balances, proven by the PoI, become the amounts settle will pay out
 * once the lock period has passed. Slash restarts the lock.
 */
function lock(tx: ChannelCloseSoloTx | ChannelSlashTx, channel: ChannelObject, state: ChannelState, { ledger, height }: TxEnv): void {
  const amounts = provenAmounts(tx.poi, state.stateHash, channel);
  ledger.setChannel(tx.channelId, { ...channel, ...amounts, round: state.round, stateHash: state.stateHash, lockedUntil: height + channel.lockPeriod });
}

/** An empty payload closes on the last state on chain, whose hash the PoI must then have. */
export const closeSolo = postedAlone<ChannelCloseSoloTx>((tx, channel, env) => {
  requireActive(channel);
  let state: ChannelState = channel;
  if (tx.payload === null) requirePeer(channel, tx.fromId);
  else state = payloadState(tx, tx.payload, channel, { networkId: env.networkId, delegatable: false });
  lock(tx, channel, state, env);
});

/** A later co-signed state than the one a solo close (or an earlier slash) locked the channel with. */
export const slash = postedAlone<ChannelSlashTx>((tx, channel, env) => {
  const payload = requirePayload(tx.payload, 'a slash');
  // The node lets a slash in for as long as the channel is closing, even once the lock has expired.
  requireClosing(channel);
  lock(tx, channel, payloadState(tx, payload, channel, { networkId: env.networkId, delegatable: true }), env);
});

/** Puts a co-signed state on chain, so the other side cannot close on an older one. */
export const snapshotSolo = postedAlone<ChannelSnapshotSoloTx>((tx, channel, env) => {
  const payload = requirePayload(tx.payload, 'a snapshot');
  requireActive(channel);
  // Iris (channel object version 3) lets delegates snapshot too.
  const state = payloadState(tx, payload, channel, { networkId: env.networkId, delegatable: channel.version === 3 });
  env.ledger.setChannel(tx.channelId, withCoSignedState(channel, state));
});
