/**
 * A client that dies at any step of a round loses nothing: it comes back from its file store alone
 * (a fresh store reading the disk, a fresh channel), finds the state the node and the peer hold,
 * and the channel goes on. The death is simulated in-process: at the chosen step the client's
 * socket drops and it never acts again (its store stops answering), as a killed process would.
 *
 * The same with real deaths, a child process killed by SIGKILL: crash-process.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, type Encoded } from '@ch/codec';
import { afterEach, describe, expect, test } from 'vitest';
import { Channel } from './channel.js';
import { secretKeySigner } from './signer.js';
import { FileStore } from './store/file-store.js';
import type { ChannelRecord, ChannelStore, RecordLock } from './store/store.js';
import { connectWebSocket, type TransportFactory } from './transport.js';
import { openPair, type Pair } from './test-support/pair.js';
import { until } from './test-support/until.js';

let pair: Pair | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await pair?.close();
  pair = undefined;
  // A save of the dead client may still be in flight (and recreate the directory): retry.
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

type Step = 'before saving the new state' | 'after saving it, before signing' | 'after signing, before the node confirms' | 'after the confirmation, before saving it' | 'after saving the confirmation';
const STEPS: readonly Step[] = ['before saving the new state', 'after saving it, before signing', 'after signing, before the node confirms', 'after the confirmation, before saving it', 'after saving the confirmation'];

/** A store and a transport that die together at `step` of the round that reaches `round`. */
function mortal(dir: string, step: Step, round: bigint) {
  const disk = new FileStore(dir);
  let die: (() => void) | undefined;
  let dead = false;
  let lock: RecordLock | undefined;
  /** The state of `round` was recorded as pending: its signature is the next thing sent. */
  let signing = false;
  const kill = () => {
    dead = true;
    die?.();
    // A dead process's lock is stale: the restarted client takes it over.
    void lock?.release();
  };
  const never = new Promise<void>(() => undefined);
  const store: ChannelStore = {
    load: (id) => disk.load(id),
    // The file store writes only the records it holds the lock of.
    lock: async (id, role) => (lock = await disk.lock(id, role)),
    async save(record: ChannelRecord) {
      if (dead) return never;
      const pending = record.pending?.round === round;
      signing ||= pending;
      const confirmed = record.state.round === round && record.pending === undefined;
      if ((pending && step === 'before saving the new state') || (confirmed && step === 'after the confirmation, before saving it')) {
        kill();
        return never;
      }
      await disk.save(record);
      if ((pending && step === 'after saving it, before signing') || (confirmed && step === 'after saving the confirmation')) {
        kill();
        return never;
      }
    },
  };
  const transport: TransportFactory = async (url, handlers, timeoutMs) => {
    const socket = await connectWebSocket(url, handlers, timeoutMs);
    die = () => socket.close();
    return {
      send(text) {
        if (dead) return;
        socket.send(text);
        if (step === 'after signing, before the node confirms' && signing && /"signed_tx"/.test(text)) kill();
      },
      close: () => socket.close(),
    };
  };
  return { store, transport, dead: () => dead };
}

describe.each(['the peer proposes', 'the client proposes'] as const)('a client killed mid-round (%s) comes back from its store', (who) => {
  test.each(STEPS)('%s', async (step) => {
    const dir = mkdtempSync(join(tmpdir(), 'ch-crash-'));
    dirs.push(dir);
    const keys = { i: generateKeyPair(), r: generateKeyPair() };
    const { store, transport, dead } = mortal(dir, step, 3n);
    // The node gives up on a dead client's signature within a second, so the peer hears of it soon
    // (and a live client under load still signs in time).
    const nodeTimeouts = { sign: 1_000, accept: 2_000 };
    // The dead client's own update settles by its deadline, after the node gave up on it.
    const timeouts = { open: 20_000, update: 2_500 };
    // A dead process does not reconnect: the killed client's automatic reconnect is off.
    pair = await openPair('current', { initiator: { store, transport, nodeTimeouts, timeouts, reconnect: false }, responder: { nodeTimeouts } }, keys);
    const { initiator: I, responder: R, i, r, node } = pair;
    await I.transfer(i.publicKey, r.publicKey, 10n);

    // Round 3 is where the initiator dies.
    const attempt = who === 'the peer proposes' ? R.transfer(r.publicKey, i.publicKey, 4n) : I.transfer(i.publicKey, r.publicKey, 4n);
    const outcome = await attempt.then((round) => round, (e: Error) => e.name);
    expect(who === 'the peer proposes' ? [3n, 'ConflictError'] : [3n, 'TimeoutError', 'ChannelError']).toContain(outcome);

    const channelId = I.channelId as Encoded<'ch'>;
    // Restarted once dead: its confirmation may come after the peer's transfer settled.
    await until(dead, 10_000);
    const back = await Channel.reestablish({ url: node.url, channelId, store: new FileStore(dir), signer: secretKeySigner(i.secretKey), port: 13179, timeouts: { open: 5000 } });
    try {
      // Both sides stand at the same co-signed state: round 3 if our signature got out, else round 2.
      await until(() => back.state?.tx === R.state?.tx);
      expect(back.round).toBe(STEPS.indexOf(step) < 2 ? 2n : 3n);
      expect((await new FileStore(dir).load(channelId))?.state.tx).toBe(back.state?.tx);
      const next = back.round + 1n;
      expect(await back.transfer(i.publicKey, r.publicKey, 1n)).toBe(next);
      expect(await R.transfer(r.publicKey, i.publicKey, 1n)).toBe(next + 1n);
      expect(back.state?.tx).toBe(R.state?.tx);
    } finally {
      back.disconnect();
    }
  });
});
