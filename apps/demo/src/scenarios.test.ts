/**
 * Must show 3: every scenario against the embedded node, each step's results checked against what
 * that step must do: the round it leads to, both balances, the conflicts each side was told of
 * (code, round, whether it came after the update had settled) and, for on-chain steps, the chain.
 */
import { describe, expect, test } from 'vitest';
import { runScenario, type Pair, type StepResult } from './runner.js';
import { SCENARIOS } from './scenarios.js';
import { GENESIS_BALANCE } from './setting.js';
import { DEPOSIT, WITHDRAWAL, type StepName } from './steps.js';

interface Expected {
  round: bigint;
  balances: Pair<bigint>;
  /** Sorted "party code@round[ stray]". */
  conflicts: string[];
}

/** The seed's race as the 2019 node reports it: twice to each side, the second after the update settled. */
const RACE = ['initiator 2@5', 'initiator 2@5 stray', 'responder 2@5', 'responder 2@5 stray'];

/** What each step does to the channel, from the state before it. */
function after(step: StepName, before: Expected): Expected {
  const { round, balances: b } = before;
  const move = (rounds: bigint, di: bigint, dr: bigint): Expected => ({ round: round + rounds, balances: { initiator: b.initiator + di, responder: b.responder + dr }, conflicts: [] });
  switch (step) {
    case 'open':
      return { round: 1n, balances: { initiator: 69999999999999n, responder: 40000000000001n }, conflicts: [] };
    case 'transfers':
      return move(4n, 0n, 0n);
    case 'race':
    case 'race-back':
      return { ...move(0n, 0n, 0n), conflicts: RACE };
    case 'abort':
      return { ...move(0n, 0n, 0n), conflicts: ['initiator 147@5'] };
    case 'pay':
      return move(2n, -600n, 600n);
    case 'deposit':
      return move(1n, DEPOSIT, 0n);
    case 'withdraw':
      return move(1n, 0n, -WITHDRAWAL);
    case 'balances':
    case 'hang-up':
    case 'message':
    case 'leave':
    case 'reestablish':
    case 'close':
      return move(0n, 0n, 0n);
  }
}

const seen = (s: StepResult): Expected => ({
  round: s.round,
  balances: s.balances,
  conflicts: s.conflicts.map((c) => `${c.party} ${c.code}@${c.round}${c.stray ? ' stray' : ''}`).sort(),
});

describe.each(SCENARIOS.map((s) => [s.name, s] as const))('scenario %s', (name, plan) => {
  test('each step leads to the round, balances and conflicts it must; the chain pays what the channel held', async () => {
    const result = await runScenario(name);
    expect(result.steps.map((s) => [s.name, s.setup])).toEqual([...plan.setup.map((n) => [n, true]), ...plan.steps.map((n) => [n, false])]);
    let expected: Expected = { round: 0n, balances: { initiator: 0n, responder: 0n }, conflicts: [] };
    let chain: Pair<bigint> = { initiator: GENESIS_BALANCE, responder: GENESIS_BALANCE };
    for (const step of result.steps) {
      expected = after(step.name as StepName, expected);
      expect(seen(step), step.name).toEqual(expected);
      expect(step.summary.length, step.name).toBeGreaterThan(20);
      const now = step.onChain!;
      const spent = { initiator: chain.initiator - now.initiator, responder: chain.responder - now.responder };
      if (step.name === 'open') {
        // Each funds its side; the initiator also pays the create tx's fee.
        expect(spent.initiator).toBeGreaterThan(70_000_000_000_000n);
        expect(spent.responder).toBe(40_000_000_000_000n);
      } else if (step.name === 'deposit') {
        expect(spent.initiator).toBeGreaterThan(DEPOSIT);
        expect(spent.responder).toBe(0n);
      } else if (step.name === 'withdraw') {
        expect(spent.initiator).toBe(0n);
        expect(-spent.responder).toBeLessThan(WITHDRAWAL); // less the withdraw tx's fee
        expect(-spent.responder).toBeGreaterThan(0n);
      } else if (step.name === 'close') {
        // Each gets its balance less half the close fee (the initiator the odd unit).
        const fees = [step.balances.initiator + spent.initiator, step.balances.responder + spent.responder];
        expect(fees[0]! - fees[1]!).toBeGreaterThanOrEqual(0n);
        expect(fees[0]! - fees[1]!).toBeLessThanOrEqual(1n);
        expect(fees[1]).toBeGreaterThan(0n);
      } else {
        expect(spent, step.name).toEqual({ initiator: 0n, responder: 0n });
      }
      chain = now;
    }
  });
});
