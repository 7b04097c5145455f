/**
 * Runs a scenario and returns what each step did: the round, both parties' balances in the last
 * co-signed state, the conflicts reported during the step, the on-chain balances where the chain
 * is at hand. The CLI prints these; tests check them.
 */
import type { Encoded } from '@ch/codec';
import type { ExternalNode } from './args.js';
import { Party, type PartyConflict } from './party.js';
import { scenario as findScenario } from './scenarios.js';
import { embeddedSetting, externalSetting, type Setting } from './setting.js';
import { STEPS, type Stage, type Step } from './steps.js';
import { Recorder } from './transcript.js';

export interface Pair<T> {
  readonly initiator: T;
  readonly responder: T;
}

export interface StepResult {
  readonly name: string;
  readonly title: string;
  /** A setup step: run before the scenario's transcript starts. */
  readonly setup: boolean;
  readonly summary: string;
  /** The last co-signed round after the step, once both parties hold it. */
  readonly round: bigint;
  /** Both parties' balances in that state. */
  readonly balances: Pair<bigint>;
  readonly conflicts: readonly PartyConflict[];
  /** Both accounts on chain after the step (embedded node only). */
  readonly onChain: Pair<bigint> | undefined;
  readonly ms: number;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly url: string;
  readonly networkId: string;
  readonly accounts: Pair<Encoded<'ak'>>;
  readonly steps: readonly StepResult[];
}

export interface RunHooks {
  readonly recorder?: Recorder;
  beforeStep?(step: Step, setup: boolean): void;
  afterStep?(result: StepResult, step: Step): void;
}

/** Runs `name` on the embedded node, or on `node` if given. */
export async function runScenario(name: string, node?: ExternalNode, hooks: RunHooks = {}): Promise<ScenarioResult> {
  const plan = findScenario(name);
  const setting = node ? await externalSetting(node) : await embeddedSetting();
  const recorder = hooks.recorder ?? new Recorder();
  let conflicts: PartyConflict[] = [];
  const report = (conflict: PartyConflict) => conflicts.push(conflict);
  const stage: Stage = {
    setting,
    recorder,
    initiator: new Party('initiator', setting.initiator, report),
    responder: new Party('responder', setting.responder, report),
  };
  const steps: StepResult[] = [];
  try {
    for (const [setup, names] of [[true, plan.setup], [false, plan.steps]] as const) {
      recorder.recording = !setup;
      for (const stepName of names) {
        const step: Step = STEPS[stepName];
        hooks.beforeStep?.(step, setup);
        conflicts = [];
        const started = Date.now();
        let summary: string;
        try {
          summary = await step.run(stage);
          await agreement(stage);
        } catch (e) {
          throw new StepError(step.name, e);
        }
        const result: StepResult = { name: step.name, title: step.title, setup, summary, ...observe(stage, setting), conflicts, ms: Date.now() - started };
        steps.push(result);
        hooks.afterStep?.(result, step);
      }
    }
  } finally {
    // Letting go of the sockets is cleanup, not part of the story.
    recorder.recording = false;
    for (const party of [stage.initiator, stage.responder]) if (party.opened) party.channel.disconnect();
    await setting.stop();
  }
  return { scenario: plan.name, url: setting.url, networkId: setting.networkId, accounts: { initiator: setting.initiator.publicKey, responder: setting.responder.publicKey }, steps };
}

export class StepError extends Error {
  override name = 'StepError';
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`step "${step}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

const AGREEMENT_MS = 10_000;

/**
 * Waits until both parties hold the same co-signed state: the party that asked for an update
 * settles first, the other learns of the state from its node a moment later.
 */
async function agreement(stage: Stage): Promise<void> {
  const [a, b] = [stage.initiator.channel, stage.responder.channel];
  const deadline = Date.now() + AGREEMENT_MS;
  while (a.state?.tx !== b.state?.tx) {
    if (Date.now() > deadline) throw new Error(`the parties disagree: the initiator is at round ${a.round}, the responder at round ${b.round}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function observe(stage: Stage, setting: Setting): Pick<StepResult, 'round' | 'balances' | 'onChain'> {
  const { initiator: i, responder: r } = stage;
  const a = i.channel;
  const balance = (account: Encoded<'ak'>) => a.balanceOf(account) ?? 0n;
  const onChain = setting.chain && {
    initiator: setting.chain.account(i.key.publicKey)?.balance ?? 0n,
    responder: setting.chain.account(r.key.publicKey)?.balance ?? 0n,
  };
  return { round: a.round, balances: { initiator: balance(i.key.publicKey), responder: balance(r.key.publicKey) }, onChain };
}
