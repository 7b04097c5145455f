/** A valid channel record for the stores' tests: real ids and a real tx, so only what a test changes is wrong. */
import type { ChannelRecord } from './store.js';

export const CHANNEL = 'ch_Bx4x8rvNpeHe2LtnDNqyqCvguqX5jEeotUDk5cRXH3mEXzy77';
const TX: `tx_${string}` = 'tx_+JALAfhCuEAHhFxkddW3oNkI5rMaEtI/RX/uS4FsU19FF37uxQpFlijWqmKKjcXNoBuSr4m+YZ+t4eodYuEO3wLt0k54QjQMuEj4RjkCoQYY3LBfu3dh9lxDQTFixVsZMWp7ufY8svJ1rYd9v86ViAagjzrFAgbG1168Sla7F83mqiYSM4EXSFASPfCvpxz+0ZfVolHc';

export function sampleRecord(round: bigint, pending = false): ChannelRecord {
  const state = { round, tx: TX, balances: [['6ae7fb98'.padEnd(64, '0'), 2n ** 70n] as const, ['aa5770d1'.padEnd(64, '0'), 40000000000002n] as const] };
  return {
    channelId: CHANNEL,
    role: 'initiator',
    networkId: 'local_lima_testnet',
    terms: {
      initiatorId: 'ak_p5mwxAHVY4fqWNqYDvGLfTAWGGra3B4zuNQayyHZZwS9bKrRx',
      responderId: 'ak_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn',
      initiatorAmount: 70000000000000n,
      responderAmount: 40000000000000n,
      pushAmount: 1n,
      channelReserve: 2n,
      lockPeriod: 10n,
    },
    fsmId: 'ba_ZG0hvKdgSOCMyu/1pVJaOCyUYc260bVVPLZg5Qzy/rcuM9pd',
    state,
    ...(pending && { pending: { ...state, round: round + 1n } }),
  };
}
