/**
 * `ch-conformance <dir>`: every transcript under a directory replayed against the client, one
 * line each, then the totals.
 */
import { relative } from 'node:path';
import { decode, type Encoded } from '@ch/codec';
import { classify } from './classify.js';
import { replay, type ReplayResult } from './replay.js';
import { networkIdOf } from './signed-tx.js';
import { startStateFor } from './start-state.js';
import { isMessage, prefixed, readTranscript, transcriptFiles, type Transcript } from './transcript.js';

export type Outcome =
  | { readonly path: string; readonly status: 'pass'; readonly result: Extract<ReplayResult, { ok: true }> }
  | { readonly path: string; readonly status: 'fail'; readonly reason: string }
  | { readonly path: string; readonly status: 'skip'; readonly reason: string };

/** Every well-formed account a transcript names (its probes name malformed ones too). */
function accountsOf(transcript: Transcript): Encoded<'ak'>[] {
  const named = new Set(transcript.steps.filter(isMessage).flatMap((s) => prefixed(s.message, 'ak_')));
  return [...named].filter((account) => {
    try {
      return decode(account, 'ak').length === 32;
    } catch {
      return false;
    }
  }) as Encoded<'ak'>[];
}

export async function runTranscript(path: string, root: string): Promise<Outcome> {
  const name = relative(root, path);
  const transcript = readTranscript(path);
  const skip = classify(transcript);
  if (skip) return { path: name, status: 'skip', reason: skip };
  const txs = transcript.steps.filter(isMessage).flatMap((s) => prefixed(s.message, 'tx_'));
  const accounts = accountsOf(transcript);
  // Nothing signed (refused opens, a timeout before funding): nothing depends on the id.
  const networkId = networkIdOf(txs, accounts) ?? 'local_iris_testnet';
  const start = startStateFor(transcript, root, networkId);
  if (typeof start === 'string') return { path: name, status: 'fail', reason: start };
  if (start && 'unresumable' in start) return { path: name, status: 'skip', reason: start.unresumable };
  const result = await replay(transcript, { networkId, ...(start && { start }) });
  if (result.ok) return { path: name, status: 'pass', result };
  return { path: name, status: 'fail', reason: `first mismatch at step ${result.step}: ${result.reason}` };
}

export function formatOutcome(o: Outcome): string {
  switch (o.status) {
    case 'pass': {
      const c = o.result.counts;
      const injected = Object.entries(c.injected).map(([reason, n]) => `${n} injected (${reason.replace('_', ' ')})`);
      const extra = [c.opened > 0 && `${c.opened} open queries`, ...injected, c.synthesized > 0 && `${c.synthesized} ok synthesized`, c.nodeStates > 0 && `${c.nodeStates} node states answered`, ...o.result.notes].filter(Boolean).join(', ');
      return `PASS ${o.path} (${c.compared + c.played} messages: ${c.compared} sent by the client, ${c.played} by the node${extra ? `; ${extra}` : ''})`;
    }
    case 'fail':
      return `FAIL ${o.path}: ${o.reason}`;
    case 'skip':
      return `SKIP ${o.path}: ${o.reason}`;
  }
}

export function summary(outcomes: readonly Outcome[]): string {
  const n = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
  return `${n('pass')} passed, ${n('fail')} failed, ${n('skip')} skipped`;
}

/** Runs every transcript under `dir` in turn, reporting each as it finishes. */
export async function runDirectory(dir: string, report: (line: string) => void = () => undefined): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const path of transcriptFiles(dir)) {
    const outcome = await runTranscript(path, dir);
    outcomes.push(outcome);
    report(formatOutcome(outcome));
  }
  return outcomes;
}
