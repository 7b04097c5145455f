/**
 * Crash safety with real deaths. The victim client runs in a child process with a LogStore
 * (test-support/crash-child.ts) and is killed with SIGKILL at each step of a round: before it signs,
 * after its signature went out, after it stored the co-signed state; as initiator and as responder,
 * proposing the update or co-signing the peer's. Then at random moments of a stream of transfers
 * both ways. Each time a new process restarts from the store alone and reestablishes; it must hold
 * the latest co-signed state the peer and the node hold (never an older one than the peer had seen
 * when the victim died), and the channel goes on both ways.
 *
 * The peer client and the local node run in this process. CH_CRASH_KILLS sets the kills per case of
 * the matrix (default 3), CH_CRASH_RANDOM the random kills per role (default 10), CH_CRASH_SEED
 * replays the random delays of a run (it is printed, and where the random kills landed).
 */
import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair, type KeyPair } from '@ch/codec';
import type { RunningNode } from '@ch/node';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { seededRandom } from '../../../tools/seeded-random.js';
import { Channel } from './channel.js';
import { ConflictError } from './errors.js';
import { LogStore } from './store/log-store.js';
import { openOptions, SEED_TERMS, startTestNode } from './test-support/pair.js';
import { bundleVictim, STEPS, VictimProcess, type Step, type VictimConfig } from './test-support/victim-process.js';

const KILLS = Number(process.env.CH_CRASH_KILLS ?? 3);
const RANDOM_KILLS = Number(process.env.CH_CRASH_RANDOM ?? 10);
const SEED = Number(process.env.CH_CRASH_SEED ?? Date.now() % 2 ** 31);
/**
 * The node's timers (ms). The victim's node waits long for its signature: a process just started
 * on a busy machine still signs in time, and a sign request its dead predecessor left unanswered
 * is ended sooner, by the peer's next update racing it. The peer's node gives up on the victim's
 * co-signature after `accept`: that ends a peer update the victim died before signing.
 */
const VICTIM_NODE_TIMEOUTS = { sign: 10_000, accept: 10_000 };
const PEER_NODE_TIMEOUTS = { sign: 10_000, accept: 1_500 };

let work: string;
let bundle: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ch-crash-process-'));
  bundle = await bundleVictim(work);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CASES = STEPS.flatMap((step) => (['the victim', 'the peer'] as const).map((proposer) => ({ step, proposer })));

// The two roles run side by side (each on its own node); a role's tests run one after another on its channel.
describe.concurrent.each(['initiator', 'responder'] as const)('a client process killed by SIGKILL as the %s', (role) => {
  let node: RunningNode;
  let peer: Channel;
  let victim: VictimProcess;
  let config: VictimConfig;
  let keys: { victim: KeyPair; peer: KeyPair };

  beforeAll(async () => {
    const [i, r] = [generateKeyPair(), generateKeyPair()];
    keys = role === 'initiator' ? { victim: i, peer: r } : { victim: r, peer: i };
    node = await startTestNode('current', [i, r]);
    const dir = join(work, role);
    config = { url: node.url, role, initiatorId: i.publicKey, responderId: r.publicKey, secretKey: Buffer.from(keys.victim.secretKey).toString('hex'), dir, port: 13179, nodeTimeouts: VICTIM_NODE_TIMEOUTS };
    // The peer's update may race the dead victim's last sign request, still open on its FSM: a
    // conflict (code 2) that is retried.
    const retry = { attempts: 10, baseDelayMs: 5, maxDelayMs: 100 };
    const openPeer = () => Channel.open(openOptions(node, i, r, role === 'initiator' ? 'responder' : 'initiator', { nodeTimeouts: PEER_NODE_TIMEOUTS, retry }));
    // The responder connects first: the initiator's node waits for it only `accept` ms (a peer in
    // this process connects long before a new process does).
    let opening: Promise<Channel>;
    if (role === 'responder') {
      victim = new VictimProcess(bundle, config);
      await victim.next('connected', 20_000);
      opening = openPeer();
    } else {
      opening = openPeer();
      victim = new VictimProcess(bundle, config);
    }
    peer = await opening;
    config = { ...config, channelId: (await victim.next('open', 20_000)).channelId };
  });

  afterAll(async () => {
    await victim?.kill();
    peer?.disconnect();
    await node?.stop();
  });

  /** The victim's state (and its node's) once it holds the peer's latest co-signed state. */
  async function victimState(): Promise<{ round: bigint; tx: string; nodeTx: string }> {
    return vi.waitFor(
      async () => {
        victim.send({ cmd: 'state' });
        const s = await victim.next('state');
        expect(s.tx).toBe(peer.state?.tx);
        expect(s.balance).toBe(String(peer.balanceOf(keys.victim.publicKey)));
        return { round: BigInt(s.round), tx: s.tx, nodeTx: s.nodeTx };
      },
      { timeout: 5_000, interval: 20 },
    );
  }

  /**
   * SIGKILL, then `settle` the peer's update that was under way (it may still complete, with the
   * victim's signature already sent). A new victim process restarts from the store and must hold
   * what the peer, the node and the disk hold, and no older state than the peer had at the kill.
   */
  async function killAndRecover(settle: () => Promise<unknown>): Promise<bigint> {
    expect(await victim.kill()).toBe('SIGKILL');
    const seen = peer.round;
    await settle();
    victim = new VictimProcess(bundle, config);
    await victim.next('open', 20_000);
    const back = await victimState();
    expect(back.round).toBeGreaterThanOrEqual(seen);
    expect(back.nodeTx).toBe(back.tx);
    expect((await peer.offchainState()).signed_tx).toBe(back.tx);
    expect((await new LogStore(config.dir).load(config.channelId!))?.state.tx).toBe(back.tx);
    return back.round;
  }

  /** The channel goes on from `round`: the peer pays, then the restarted victim pays. */
  async function goesOn(round: bigint): Promise<void> {
    expect(await peer.transfer(keys.peer.publicKey, keys.victim.publicKey, 1n)).toBe(round + 1n);
    victim.send({ cmd: 'transfer', amount: '1' });
    expect((await victim.next('transferred')).round).toBe(String(round + 2n));
    await vi.waitFor(() => expect(peer.round).toBe(round + 2n));
  }

  test.sequential.each(CASES)(`killed $step, $proposer proposing, ${KILLS} times`, { timeout: 60_000 }, async ({ step, proposer }) => {
    for (let n = 0; n < KILLS; n++) {
      const before = peer.round;
      const round = before + 1n;
      victim.send({ cmd: 'die', step, round: String(round) });
      // The command travels apart from the node's sign request: the round starts once it is set.
      await victim.next('armed', 5_000);
      const update =
        proposer === 'the peer'
          ? peer.transfer(keys.peer.publicKey, keys.victim.publicKey, 2n).then(
              (r) => r,
              (e: Error) => e.name,
            )
          : undefined;
      if (!update) victim.send({ cmd: 'transfer', amount: '3' });
      const dying = await victim.next('step', 10_000, (e) => e.dying);
      expect([dying.step, dying.round]).toEqual([step, String(round)]);

      const recovered = await killAndRecover(async () => update);
      // Our signature never went out: the round did not happen. Once it did, the round is co-signed.
      const signed = step !== 'before sign';
      expect(recovered).toBe(signed ? round : before);
      if (update) expect(await update).toBe(signed ? round : 'ConflictError');
      await goesOn(recovered);
    }
  });

  test.sequential(`${RANDOM_KILLS} kills at random moments of transfers both ways`, { timeout: 120_000 }, async () => {
    const seed = SEED + (role === 'initiator' ? 0 : 1);
    const random = seededRandom(seed);
    console.info(`crash (${role}): random kills with CH_CRASH_SEED=${SEED}`);
    const landed = new Map<Step | 'no step', number>();
    const total = SEED_TERMS.initiatorAmount + SEED_TERMS.responderAmount;
    for (let n = 0; n < RANDOM_KILLS; n++) {
      let streaming = true;
      const peerStream = (async () => {
        // Lost races and updates the dying victim never co-signed end in conflicts; nothing else may.
        // A breath after each, so that transfers refused at once cannot starve the timers.
        while (streaming) {
          await peer.transfer(keys.peer.publicKey, keys.victim.publicKey, 1n).catch(async (e: Error) => {
            expect(e).toBeInstanceOf(ConflictError);
            await sleep(1);
          });
        }
      })();
      victim.send({ cmd: 'stream' });
      await sleep(Math.floor(random() * 200));
      const steps = victim.events.received.filter((e) => e.event === 'step');
      const last = steps.at(-1)?.step ?? 'no step';
      landed.set(last, (landed.get(last) ?? 0) + 1);

      const recovered = await killAndRecover(() => {
        streaming = false;
        return peerStream;
      });
      await goesOn(recovered);
    }
    const balances = await peer.balances();
    expect([...balances.values()].reduce((a, b) => a + b)).toBe(total);
    console.info(`crash (${role}): ${RANDOM_KILLS} random kills, the last step reached before each: ${[...landed].map(([s, k]) => `${s} ${k}`).join(', ')}`);
  });

  // The node still waits for the dead process's signature: it answers the restarted client's update
  // "ok", drops it and reports a conflict with no signing round open. That conflict must end the
  // update at once (signing-round.ts `droppedRequest`), not leave it to its timeout.
  test.sequential("the restarted client's own first update settles at once though its node still awaits the dead one's signature", { timeout: 30_000 }, async () => {
    const round = peer.round + 1n;
    victim.send({ cmd: 'die', step: 'before sign', round: String(round) });
    victim.send({ cmd: 'transfer', amount: '3' });
    await victim.next('step', 10_000, (e) => e.dying);
    await killAndRecover(async () => undefined);
    victim.send({ cmd: 'transfer', amount: '1' });
    expect((await victim.next('failed', 2_000)).error).toMatch(/^ConflictError/);
  });
});
