/**
 * The scenarios: which steps each runs. Setup steps bring the channel to where the story starts;
 * they are summarised but not transcribed. The `conflict` scenario's transcript starts where the
 * seed's does, at round 5 with the first race, so the two can be compared message for message.
 */
import type { StepName } from './steps.js';

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly setup: readonly StepName[];
  readonly steps: readonly StepName[];
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'tour',
    description: 'everything: the seed, then transfers, deposit, withdrawal, a message, leave and reestablish, mutual close',
    setup: [],
    steps: ['open', 'transfers', 'race', 'race-back', 'balances', 'abort', 'balances', 'pay', 'deposit', 'withdraw', 'message', 'leave', 'reestablish', 'pay', 'close'],
  },
  {
    name: 'conflict',
    description: 'the seed transcript: two races at round 5 lost by both sides, an update refused with code 147 (transcript from round 5)',
    setup: ['open', 'transfers'],
    steps: ['race', 'race-back', 'balances', 'abort', 'balances', 'hang-up'],
  },
  {
    name: 'on-chain',
    description: 'a deposit and a withdrawal, each waiting for its tx on chain, then the mutual close and the payout',
    setup: ['open'],
    steps: ['deposit', 'withdraw', 'close'],
  },
  {
    name: 'reconnect',
    description: 'leave the channel, reestablish both sides from their stores, and carry on',
    setup: ['open'],
    steps: ['pay', 'leave', 'reestablish', 'pay', 'close'],
  },
  {
    name: 'message',
    description: 'a generic message each way, which changes no state',
    setup: ['open'],
    steps: ['message', 'close'],
  },
];

export const DEFAULT_SCENARIO = 'tour';

export function scenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`unknown scenario "${name}"`);
  return found;
}
