/**
 * Where a transcript that begins on an already open channel begins. The node's test suite opens
 * a group's channel once (`init_per_group.json`) and runs the group's cases on it one after the
 * other, so a case starts at the state the previous one left. That state is rebuilt from the
 * group's recordings: the co-signed create tx and, round by round, the co-signed txs with the
 * updates their sign requests listed, applied to the initial balances and checked against each
 * tx's state hash. A case whose channel was opened in no recorded file (the seed, and the Jan
 * 2020 `update_conflict`) starts from the balances the node reports in it, at the round before
 * its first proposal, under an unsigned stand-in tx with that state hash: the client checks the
 * first proposal's state hash against those balances, so a wrong start shows up as a refusal.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { ChannelTerms } from '@ch/client';
import { initialState, type Encoded } from '@ch/codec';
import { stringifyJson, type JsonValue } from '@ch/rpc';
import { Ledger, ROUND_REQUESTS, roundTx, type LedgerState } from './ledger.js';
import { termsOf } from './open-options.js';
import type { StartState } from './replay.js';
import { isMessage, isOpen, methodOf, readTranscript, transcriptFiles, type Json, type MessageStep, type Transcript } from './transcript.js';

const dataOf = (step: MessageStep): Json | undefined => (step.message.params as Json | undefined)?.data as Json | undefined;

function channelIdOf(transcript: Transcript): Encoded<'ch'> | undefined {
  for (const step of transcript.steps.filter(isMessage)) {
    const params = step.message.params as Json | undefined;
    const id = params?.channel_id ?? step.message.channel_id;
    if (typeof id === 'string' && id.startsWith('ch_')) return id as Encoded<'ch'>;
  }
  return undefined;
}

const GROUP_OPENING = 'init_per_group.json';

/** The channel terms a group opening opens with, participants aside. */
function openingTerms(path: string): Omit<ChannelTerms, 'initiatorId' | 'responderId'> | undefined {
  const open = readTranscript(path).steps.find(isOpen);
  if (!open) return undefined;
  const { role: _role, initiatorId: _i, responderId: _r, ...terms } = termsOf(open.query);
  return terms;
}

/**
 * The group's opening file: `init_per_group.json` in the transcript's directory or the nearest one
 * above it under `root`. A transcript in no group (a seed session) takes the group openings under
 * `root` if they all open with the same terms (the node's suite opens every group alike), since
 * those are the terms its channel was opened with.
 */
function groupInit(transcript: Transcript, root: string): string | undefined {
  const top = resolve(root);
  for (let dir = dirname(resolve(transcript.path)); dir === top || dir.startsWith(top + sep); dir = dirname(dir)) {
    const init = join(dir, GROUP_OPENING);
    if (existsSync(init)) return init;
  }
  const openings = transcriptFiles(root).filter((path) => basename(path) === GROUP_OPENING);
  const terms = openings.map((path) => stringifyJson(openingTerms(path) as unknown as JsonValue));
  return openings.length > 0 && terms.every((t) => t === terms[0]) ? openings[0] : undefined;
}

/** The first round a transcript proposes, minus one: where it starts. */
function startRound(transcript: Transcript): bigint | undefined {
  for (const step of transcript.steps.filter(isMessage)) {
    if (!ROUND_REQUESTS.has(methodOf(step) ?? '')) continue;
    const tx = roundTx(dataOf(step)?.signed_tx as string);
    if (tx) return tx.round - 1n;
  }
  return undefined;
}

/** Rebuilds the channel's co-signed state at `round` from the group's recordings. */
function ledgerState(files: readonly Transcript[], terms: ChannelTerms, round: bigint): LedgerState | string | undefined {
  const coSigned = new Map<bigint, Encoded<'tx'>>();
  const ledger = new Ledger(terms.channelReserve);
  for (const file of files) {
    for (const step of file.steps.filter(isMessage)) {
      const method = methodOf(step) ?? '';
      const data = dataOf(step);
      if (step.dir !== 'recv') continue;
      if (method === 'channels.update' && typeof data?.state === 'string') {
        const tx = roundTx(data.state);
        if (tx) coSigned.set(tx.round, data.state as Encoded<'tx'>);
      } else if (typeof data?.signed_tx === 'string' && Array.isArray(data.updates)) {
        ledger.listed(method, data.signed_tx, data.updates as Json[]);
      }
    }
  }
  const create = coSigned.get(1n);
  if (create === undefined) return undefined;
  const opened = ledger.known(create, initialState({ initiator: terms.initiatorId, responder: terms.responderId, ...terms }));
  if (opened !== undefined) return opened;
  for (let r = 2n; r <= round; r++) {
    const tx = coSigned.get(r);
    if (tx === undefined) return undefined;
    const problem = ledger.coSigned(tx);
    if (problem !== undefined) return problem;
  }
  return ledger.at(round);
}

/**
 * The start state of a transcript whose participants speak before opening; undefined for one
 * that opens its channels itself, a string when no start can be found, `unresumable` when the
 * recording cannot give one the client would take.
 */
export function startStateFor(transcript: Transcript, root: string, networkId: string): StartState | { readonly unresumable: string } | string | undefined {
  const first = transcript.steps.find((s) => isOpen(s) || isMessage(s));
  if (first === undefined || isOpen(first)) return undefined;
  const channelId = channelIdOf(transcript);
  const initPath = groupInit(transcript, root);
  if (channelId === undefined || initPath === undefined) return 'it starts on an open channel, and no group opening (init_per_group.json) was found';
  const init = readTranscript(initPath);
  const open = init.steps.find(isOpen);
  if (!open) return `${relative(root, initPath)} opens no channel`;
  const { role: _role, ...groupTerms } = termsOf(open.query);
  const round = startRound(transcript);

  if (channelIdOf(init) === channelId) {
    const groupDir = dirname(initPath);
    const files = transcriptFiles(groupDir).map(readTranscript).filter((t) => channelIdOf(t) === channelId);
    // A case that proposes nothing (failed updates, pings) depends on no round: it starts at the first.
    const at = round ?? 1n;
    const found = ledgerState(files, groupTerms, at);
    if (typeof found === 'string') return found;
    if (found) {
      return { record: { channelId, networkId, terms: groupTerms, state: { round: at, tx: found.tx, balances: [...found.state.balances] } }, origin: `the group's co-signed round ${at}` };
    }
  }

  // A channel opened in no recorded file: the node reports its balances, but not the co-signed
  // tx of the round, and the client reestablishes only from a record whose signatures verify.
  return { unresumable: 'it starts on a channel opened in no recorded file, whose co-signed state the recording lacks: the client reestablishes only from a record both signatures verify' };
}
