/**
 * Every recorded transcript replayed against the client (issue #5): each non-contract transcript
 * must pass, and the skipped ones are exactly the contract and generalized-account ones.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseJson, stringifyJson, type JsonValue } from '@ch/rpc';
import { describe, expect, test } from 'vitest';
import { formatOutcome, runTranscript } from './runner.js';
import { transcriptFiles } from './transcript.js';
import { TRANSCRIPTS_DIR } from '../../../tools/fixtures.mjs';

const ROOT = join(TRANSCRIPTS_DIR, '/');

/** The transcripts the client cannot take part in: contract updates need the VM, generalized accounts a contract signer. */
const SKIPPED = [
  // They start on a channel whose co-signed state the recording lacks; the client reestablishes
  // only from a record both signatures verify.
  'json-rpc/continuous/sc_ws_update_conflict.json',
  'json-rpc/contracts/sc_ws_basic_contracts.json',
  'json-rpc/contracts/sc_ws_environment_contract.json',
  'json-rpc/contracts/sc_ws_nameservice_contract.json',
  'json-rpc/contracts/sc_ws_oracle_contract.json',
  'json-rpc/contracts/sc_ws_remote_call_contract.json',
  'json-rpc/contracts/sc_ws_remote_call_contract_refering_onchain_data.json',
  'json-rpc/contracts/sc_ws_wrong_call_data.json',
  'json-rpc/force_progress/sc_ws_force_progress_based_on_offchain_state.json',
  'json-rpc/force_progress/sc_ws_force_progress_based_on_onchain_state.json',
  'json-rpc/generalized_accounts/both/sc_ws_basic_open_close.json',
  'json-rpc/generalized_accounts/initiator/sc_ws_basic_open_close.json',
  'json-rpc/generalized_accounts/responder/sc_ws_basic_open_close.json',
  'seed/000_16b59c4208d5b87d.json',
];

const files = transcriptFiles(ROOT).map((path) => path.slice(ROOT.length));

describe('the recorded transcripts replayed against @ch/client', () => {
  // 69 vendored recordings and 10 of the real node 7.2.2 (real-node/, packages/client/src/scenarios).
  test('all 78 are found', () => {
    expect(files).toHaveLength(78);
    expect(files.filter((f) => SKIPPED.includes(f))).toEqual(SKIPPED);
  });

  test.each(files)('%s', async (file) => {
    const outcome = await runTranscript(ROOT + file, ROOT);
    expect(formatOutcome(outcome)).toMatch(SKIPPED.includes(file) ? /^SKIP / : /^PASS /);
    // A pass compared something of the client's: its messages, or at least its open queries.
    if (outcome.status === 'pass') expect(outcome.result.counts.compared + outcome.result.counts.opened).toBeGreaterThan(0);
  });
});

type Recorded = { steps: { index: number; actor: string; dir: string; message?: { method?: string; params?: { signed_tx?: string } } }[] };

/** Replays a recorded transcript as `alter` changes it, from a directory of its own (with the recorded files named in `beside`). */
async function replayAltered(file: string, alter: (transcript: Recorded) => void, beside: readonly string[] = []): Promise<string> {
  const transcript = parseJson(readFileSync(join(ROOT, file), 'utf8')) as unknown as Recorded;
  alter(transcript);
  const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
  try {
    for (const other of beside) copyFileSync(join(ROOT, other), join(dir, basename(other)));
    writeFileSync(join(dir, 'altered.json'), stringifyJson(transcript as unknown as JsonValue));
    return formatOutcome(await runTranscript(join(dir, 'altered.json'), dir));
  } finally {
    rmSync(dir, { recursive: true });
  }
}

describe('a replay that does not match', () => {
  test('fails at the first step where the client says something else', async () => {
    // The initiator's recorded signature on round 2 swapped for its signature on another tx: the
    // replay signer hands it over, the client finds it is not the tx it checked and refuses (140).
    const outcome = await replayAltered('json-rpc/sc_ws_basic_open_close.json', (transcript) => {
      const [round2, other] = [54, 78].map((i) => transcript.steps.find((s) => s.index === i)!.message!.params!);
      round2!.signed_tx = other!.signed_tx;
    });
    expect(outcome).toMatch(/^FAIL altered\.json: first mismatch at step 54: .*"error":140/);
  });
});

describe('sign replies by either name', () => {
  test('a recorded client that answered channels.close_solo_tx and channels.settle_tx is matched by one that answers *_sign', async () => {
    const renamed = { 'channels.close_solo_sign': 'channels.close_solo_tx', 'channels.settle_sign': 'channels.settle_tx' } as Record<string, string>;
    let replies = 0;
    const outcome = await replayAltered('json-rpc/sc_ws_close_solo.json', (transcript) => {
      for (const step of transcript.steps) {
        const method = step.dir === 'send' ? step.message?.method : undefined;
        if (method !== undefined && method in renamed) {
          step.message!.method = renamed[method];
          replies++;
        }
      }
    });
    expect(replies).toBeGreaterThanOrEqual(2);
    expect(outcome).toMatch(/^PASS /);
  });
});

describe("the node's state after a reconnect", () => {
  test('back with an FSM that kept running, the client asks for the node’s state, answered with the channel’s latest co-signed state', async () => {
    // The reestablish of sc_ws_leave_reconnect, as if the FSM had kept running: its fsm_up names
    // the id the client reconnected with, so the client takes the node's state (the create tx's).
    type FsmUp = { params: { data: { event?: string; fsm_id?: string } } };
    const outcome = await replayAltered('json-rpc/sc_ws_leave_reconnect.json', (transcript) => {
      const ups = transcript.steps.filter((s) => s.actor === 'initiator' && (s.message as FsmUp | undefined)?.params?.data?.event === 'fsm_up');
      (ups.at(-1)!.message as FsmUp).params.data.fsm_id = (ups[0]!.message as FsmUp).params.data.fsm_id;
    });
    expect(outcome).toMatch(/^PASS .*1 node states answered/);
  });
});
