/**
 * Every recorded transcript replayed against the client (issue #5): each non-contract transcript
 * must pass, and the skipped ones are exactly the contract and generalized-account ones.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson, stringifyJson, type JsonValue } from '@ch/rpc';
import { describe, expect, test } from 'vitest';
import { formatOutcome, runTranscript } from './runner.js';
import { transcriptFiles } from './transcript.js';
import { TRANSCRIPTS_DIR } from '../../../tools/fixtures.mjs';

const ROOT = join(TRANSCRIPTS_DIR, '/');

/** The transcripts the client cannot take part in: contract updates need the VM, generalized accounts a contract signer. */
const SKIPPED = [
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
];

const files = transcriptFiles(ROOT).map((path) => path.slice(ROOT.length));

describe('the recorded transcripts replayed against @ch/client', () => {
  test('all 69 are found', () => {
    expect(files).toHaveLength(69);
    expect(files.filter((f) => SKIPPED.includes(f))).toEqual(SKIPPED);
  });

  test.each(files)('%s', async (file) => {
    const outcome = await runTranscript(ROOT + file, ROOT);
    expect(formatOutcome(outcome)).toMatch(SKIPPED.includes(file) ? /^SKIP / : /^PASS /);
    // A pass compared something of the client's: its messages, or at least its open queries.
    if (outcome.status === 'pass') expect(outcome.result.counts.compared + outcome.result.counts.opened).toBeGreaterThan(0);
  });
});

describe('a replay that does not match', () => {
  test('fails at the first step where the client says something else', async () => {
    // The initiator's recorded signature on round 2 swapped for its signature on another tx: the
    // replay signer hands it over, the client finds it is not the tx it checked and refuses (140).
    const transcript = parseJson(readFileSync(join(ROOT, 'json-rpc/sc_ws_basic_open_close.json'), 'utf8')) as { steps: { index: number; message?: { params?: { signed_tx?: string } } }[] };
    const [round2, other] = [54, 78].map((i) => transcript.steps.find((s) => s.index === i)!.message!.params!);
    round2!.signed_tx = other!.signed_tx;
    const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
    try {
      writeFileSync(join(dir, 'altered.json'), stringifyJson(transcript as unknown as JsonValue));
      const outcome = await runTranscript(join(dir, 'altered.json'), dir);
      expect(formatOutcome(outcome)).toMatch(/^FAIL altered\.json: first mismatch at step 54: .*"error":140/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
