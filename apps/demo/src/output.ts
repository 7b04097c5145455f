/** What the CLI prints: the live transcript, each step's summary, and the results as JSON. */
import type { JsonValue } from '@ch/rpc';
import type { Palette } from './colour.js';
import { section } from './markdown.js';
import type { PartyConflict } from './party.js';
import { prettyJson } from './pretty-json.js';
import type { ScenarioResult, StepResult } from './runner.js';
import type { Step } from './steps.js';
import type { WireEntry } from './transcript.js';

export interface Printer {
  beforeStep(step: Step, setup: boolean): void;
  entry(entry: WireEntry): void;
  afterStep(result: StepResult, previous: StepResult | undefined): void;
}

export function livePrinter(write: (text: string) => void, palette: Palette, quiet: boolean): Printer {
  return {
    beforeStep(step, setup) {
      if (quiet) return;
      write(`${palette.bold(`━━ ${step.name}${setup ? ' (setup, not transcribed)' : ''}: ${step.title}`)}\n`);
    },
    entry(entry) {
      if (!quiet) write(section(entry, palette));
    },
    afterStep(result, previous) {
      write(`${quiet ? '' : '\n'}${summary(result, previous, palette)}`);
    },
  };
}

function summary(result: StepResult, previous: StepResult | undefined, palette: Palette): string {
  const { balances, onChain } = result;
  const lines = [
    `${palette.good('✔')} ${palette.bold(result.name)} ${palette.dim(`(${result.ms} ms)`)} ${result.summary}`,
    `  round ${result.round} · initiator ${balances.initiator} · responder ${balances.responder}`,
  ];
  for (const line of conflictLines(result.conflicts)) lines.push(`  ${palette.bad('conflict')} ${line}`);
  const moved = onChain && (!previous?.onChain || previous.onChain.initiator !== onChain.initiator || previous.onChain.responder !== onChain.responder);
  if (onChain && moved) lines.push(`  on chain · initiator ${onChain.initiator} · responder ${onChain.responder}`);
  return `${lines.join('\n')}\n\n`;
}

/** Conflict reports grouped: "initiator: code 2 "conflict" at round 5 ×2 (1 stray)". */
function conflictLines(conflicts: readonly PartyConflict[]): string[] {
  const groups = new Map<string, PartyConflict[]>();
  for (const c of conflicts) {
    const key = `${c.party}: code ${c.code} "${c.message}" at round ${c.round}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups].map(([key, list]) => {
    const stray = list.filter((c) => c.stray).length;
    return `${key}${list.length > 1 ? ` ×${list.length}` : ''}${stray ? ` (${stray} after the update had settled)` : ''}`;
  });
}

/** The closing lines of a run: the final balances, off chain and (embedded node) on chain. */
export function finale(result: ScenarioResult, palette: Palette): string {
  const last = result.steps.at(-1);
  if (!last) return '';
  const lines = [palette.bold(`Scenario "${result.scenario}" done: ${result.steps.length} steps, final round ${last.round}.`)];
  lines.push(`Final channel balances: initiator ${last.balances.initiator}, responder ${last.balances.responder}`);
  if (last.onChain) lines.push(`Final on-chain balances: initiator ${last.onChain.initiator}, responder ${last.onChain.responder}`);
  return `${lines.join('\n')}\n`;
}

/** The results as JSON (amounts and rounds exact). */
export function resultsJson(result: ScenarioResult): string {
  const pair = (p: { initiator: bigint; responder: bigint }) => ({ initiator: p.initiator, responder: p.responder });
  const value: JsonValue = {
    scenario: result.scenario,
    url: result.url,
    network_id: result.networkId,
    accounts: { ...result.accounts },
    steps: result.steps.map((s) => ({
      name: s.name,
      setup: s.setup,
      summary: s.summary,
      round: s.round,
      balances: pair(s.balances),
      ...(s.onChain && { on_chain: pair(s.onChain) }),
      conflicts: s.conflicts.map((c) => ({ party: c.party, round: c.round, code: c.code, message: c.message, stray: c.stray })),
    })),
  };
  return `${prettyJson(value, { sortKeys: false })}\n`;
}
