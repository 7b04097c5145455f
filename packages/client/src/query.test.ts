import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { openQuery, reestablishQuery, withQuery } from './query.js';
import { transcriptPath } from '../../../tools/fixtures.mjs';

const transcript = JSON.parse(readFileSync(transcriptPath('json-rpc/sc_ws_leave_reestablish.json'), 'utf8')) as {
  steps: { event?: string; actor: string; query?: Record<string, string> }[];
};
const opens = transcript.steps.filter((s) => s.event === 'ws_open');

describe('open parameters', () => {
  test('a new channel: the keys and values the recorded clients sent', () => {
    for (const role of ['initiator', 'responder'] as const) {
      const recorded = opens.find((s) => s.actor === role)!.query!;
      const terms = {
        initiatorId: recorded.initiator_id as `ak_${string}`,
        responderId: recorded.responder_id as `ak_${string}`,
        initiatorAmount: BigInt(recorded.initiator_amount!),
        responderAmount: BigInt(recorded.responder_amount!),
        pushAmount: BigInt(recorded.push_amount!),
        channelReserve: BigInt(recorded.channel_reserve!),
        lockPeriod: BigInt(recorded.lock_period!),
      };
      const q = Object.fromEntries(openQuery(role, terms, { port: Number(recorded.port), keepRunning: false }));
      const { slogan: _slogan, ...expected } = recorded;
      expect(q).toEqual(expected);
    }
  });

  test('reestablishing: the keys the recorded clients sent', () => {
    const recorded = opens.filter((s) => s.actor === 'initiator')[1]!.query!;
    const q = reestablishQuery('initiator', recorded.existing_channel_id as `ch_${string}`, recorded.offchain_tx as `tx_${string}`, recorded.existing_fsm_id as `ba_${string}`, {
      port: Number(recorded.port),
      host: recorded.host!,
    });
    expect(Object.fromEntries(q)).toEqual(recorded);
  });

  test('optional parameters and node timers', () => {
    const q = openQuery('responder', { initiatorId: 'ak_a', responderId: 'ak_b', initiatorAmount: 1n, responderAmount: 2n, pushAmount: 0n, channelReserve: 0n, lockPeriod: 1n }, {
      minimumDepth: 0,
      fee: 10n ** 18n,
      nodeTimeouts: { idle: 5000 },
    });
    expect(q.get('host')).toBeNull();
    expect(q.get('minimum_depth')).toBe('0');
    expect(q.get('fee')).toBe('1000000000000000000');
    expect(q.get('timeout_idle')).toBe('5000');
    expect(withQuery('ws://n/channel?x=1', new URLSearchParams({ a: 'b' }))).toBe('ws://n/channel?x=1&a=b');
  });
});
