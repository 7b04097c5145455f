#!/usr/bin/env node
/** `pnpm demo` / `ch-demo`: see `--help` (args.ts) and the README. */
import { writeFileSync } from 'node:fs';
import { HELP, parseDemoArgs, type DemoOptions } from './args.js';
import { paletteFor } from './colour.js';
import { toMarkdown } from './markdown.js';
import { finale, livePrinter, resultsJson } from './output.js';
import { Progress } from './progress.js';
import { runScenario, type StepResult } from './runner.js';
import { SCENARIOS } from './scenarios.js';
import { Recorder } from './transcript.js';

async function main(options: DemoOptions): Promise<void> {
  if (options.help) {
    process.stdout.write(HELP);
    return;
  }
  if (options.list) {
    const width = Math.max(...SCENARIOS.map((s) => s.name.length));
    for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(width)}  ${s.description}\n`);
    return;
  }
  const palette = paletteFor(process.stdout);
  const progress = new Progress(process.stderr);
  const write = (text: string) => {
    progress.clear();
    process.stdout.write(text);
  };
  // With --json, stdout carries the JSON alone.
  const printer = options.json ? undefined : livePrinter(write, palette, options.quiet);
  const recorder = new Recorder();
  recorder.onEntry((entry) => printer?.entry(entry));
  let previous: StepResult | undefined;
  const result = await runScenario(options.scenario, options.node, {
    recorder,
    beforeStep(step, setup) {
      printer?.beforeStep(step, setup);
      if (step.waits) progress.start(step.waits);
    },
    afterStep(stepResult) {
      progress.stop();
      printer?.afterStep(stepResult, previous);
      previous = stepResult;
    },
  }).finally(() => progress.stop());
  if (options.transcript !== undefined) writeFileSync(options.transcript, toMarkdown(recorder.entries));
  write(options.json ? resultsJson(result) : finale(result, palette));
}

// `ch-demo | head`: a reader that stops reading ends the demo quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
});

let options: DemoOptions;
try {
  options = parseDemoArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`ch-demo: ${(e as Error).message}\n(ch-demo --help explains the options)\n`);
  process.exit(2);
}
main(options).catch((e: unknown) => {
  // One line, no stack: what failed and, for a step, which one.
  process.stderr.write(`ch-demo: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
