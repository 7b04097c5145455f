/**
 * A valid channel record for the stores' tests: real keys and real txs, whose balances hash to
 * their state hash and whose signatures verify, so only what a test changes is wrong.
 */
import { decode, encode, keyPairFromSecret, OffChainState, signTx, Tag, toHex } from '@ch/codec';
import { unsigned } from '../test-support/scripted-node.js';
import type { Role } from '../signer.js';
import type { ChannelRecord, StoredState } from './store.js';

export const CHANNEL = 'ch_Bx4x8rvNpeHe2LtnDNqyqCvguqX5jEeotUDk5cRXH3mEXzy77';
export const NETWORK = 'local_lima_testnet';
export const INITIATOR = keyPairFromSecret(new Uint8Array(32).fill(1));
export const RESPONDER = keyPairFromSecret(new Uint8Array(32).fill(2));

/** A state of round `round` with `balances`, signed by `signers` (both parties by default). */
export function sampleState(round: bigint, balances: readonly [bigint, bigint] = [2n ** 70n, 40000000000002n + round], signers = [INITIATOR, RESPONDER], networkId = NETWORK): StoredState {
  const entries = [[toHex(decode(INITIATOR.publicKey, 'ak')), balances[0]], [toHex(decode(RESPONDER.publicKey, 'ak')), balances[1]]] as const;
  const stateHash = encode(new OffChainState(entries).stateHash(), 'st');
  let tx = unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId: CHANNEL, round, stateHash });
  for (const signer of signers) tx = signTx(tx, signer.secretKey, networkId);
  return { round, tx, balances: entries };
}

/** The record at `round`; with `pending`, a round + 1 this party signed alone (`true`) or completed with its signature (`'co-signed'`). */
export function sampleRecord(round: bigint, pending: boolean | 'co-signed' = false, role: Role = 'initiator'): ChannelRecord {
  const own = role === 'initiator' ? INITIATOR : RESPONDER;
  return {
    channelId: CHANNEL,
    role,
    networkId: NETWORK,
    terms: {
      initiatorId: INITIATOR.publicKey,
      responderId: RESPONDER.publicKey,
      initiatorAmount: 70000000000000n,
      responderAmount: 40000000000000n,
      pushAmount: 1n,
      channelReserve: 2n,
      lockPeriod: 10n,
    },
    fsmId: 'ba_ZG0hvKdgSOCMyu/1pVJaOCyUYc260bVVPLZg5Qzy/rcuM9pd',
    state: sampleState(round),
    ...(pending && { pending: sampleState(round + 1n, undefined, pending === 'co-signed' ? undefined : [own]) }),
  };
}
