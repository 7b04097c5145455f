/**
 * The victim of crash-process.test.ts, run as `node crash-child.mjs <config>` (victim-process.ts):
 * one client of a channel with a LogStore (the default), opening or reestablishing it, then doing what stdin
 * says. It reports each step of each round it reaches: its signer is called (before sign), the
 * reply carrying its signature is on the socket (after sign), the store holds the co-signed state
 * (after ack). At the step it was told to die at it blocks its thread after reporting, so nothing
 * more happens until the SIGKILL.
 */
import { Buffer } from 'node:buffer';
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Encoded } from '@ch/codec';
import { Channel } from '../channel.js';
import { secretKeySigner, type Signer } from '../signer.js';
import { LogStore } from '../store/log-store.js';
import type { ChannelStore } from '../store/store.js';
import { connectWebSocket, type TransportFactory } from '../transport.js';
import { NETWORK_ID, SEED_TERMS } from './terms.js';
import type { Step, VictimCommand, VictimConfig, VictimEvent } from './victim-process.js';

const config = JSON.parse(process.argv[2]!) as VictimConfig;
const me = config.role === 'initiator' ? config.initiatorId : config.responderId;
const peer = config.role === 'initiator' ? config.responderId : config.initiatorId;
let dieAt: { step: Step; round: bigint } | undefined;

/** Synchronous: the line is in the pipe before anything else happens (a kill may follow at once). */
function report(event: VictimEvent): void {
  writeSync(1, `${JSON.stringify(event)}\n`);
}

function reached(step: Step, round: bigint): void {
  const dying = dieAt?.step === step && dieAt.round === round;
  report({ event: 'step', step, round: String(round), dying });
  // Blocks the only thread for good: no timer, socket or store callback runs again.
  if (dying) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

/** The signature being sent: once the socket has it, the round is past "after sign". */
let signed: { round: bigint; tx: Encoded<'tx'> } | undefined;
const ownKey = secretKeySigner(Buffer.from(config.secretKey, 'hex'));
const signer: Signer = {
  async sign(tx, context) {
    const round = 'round' in context.tx ? context.tx.round : 0n;
    reached('before sign', round);
    const outcome = await ownKey.sign(tx, context);
    if (typeof outcome === 'string') signed = { round, tx: outcome };
    return outcome;
  },
};

const transport: TransportFactory = async (url, handlers, timeoutMs) => {
  const socket = await connectWebSocket(url, handlers, timeoutMs);
  report({ event: 'connected' });
  return {
    send(text) {
      socket.send(text);
      if (signed && text.includes(signed.tx)) {
        const { round } = signed;
        signed = undefined;
        reached('after sign', round);
      }
    },
    close: () => socket.close(),
  };
};

const disk = new LogStore(config.dir);
let storedRound = -1n;
const store: ChannelStore = {
  load: (channelId, role) => disk.load(channelId, role),
  // The killed process's lock is stale: each restart takes it over.
  lock: (channelId, role) => disk.lock(channelId, role),
  async save(record) {
    await disk.save(record);
    if (record.pending === undefined && record.state.round > storedRound) {
      storedRound = record.state.round;
      reached('after ack', storedRound);
    }
  },
};

const common = { url: config.url, signer, store, transport, port: config.port, nodeTimeouts: config.nodeTimeouts, timeouts: { open: 20_000, update: 10_000 } };
const channel = config.channelId
  ? await Channel.reestablish({ ...common, channelId: config.channelId })
  : await Channel.open({ ...common, role: config.role, networkId: NETWORK_ID, initiatorId: config.initiatorId, responderId: config.responderId, ...SEED_TERMS, minimumDepth: 0 });
channel.on('conflict', ({ code, round, stray }) => report({ event: 'conflict', code, round: String(round), stray }));
channel.on('error', (e) => report({ event: 'error', message: e.message }));
report({ event: 'open', channelId: channel.channelId!, round: String(channel.round), tx: channel.state!.tx });

async function transfer(amount: bigint): Promise<boolean> {
  try {
    report({ event: 'transferred', round: String(await channel.transfer(me, peer, amount)) });
    return true;
  } catch (e) {
    report({ event: 'failed', error: `${(e as Error).name}: ${(e as Error).message}` });
    return false;
  }
}

/** Transfers one after another until the kill; a failed one (a lost race) is retried after a breath. */
async function stream(): Promise<never> {
  for (;;) if (!(await transfer(1n))) await new Promise((resolve) => setTimeout(resolve, 1));
}

async function run(command: VictimCommand): Promise<void> {
  switch (command.cmd) {
    case 'die':
      dieAt = { step: command.step, round: BigInt(command.round) };
      report({ event: 'armed', round: command.round });
      return;
    case 'transfer':
      await transfer(BigInt(command.amount));
      return;
    case 'stream':
      return stream();
    case 'state': {
      const node = await channel.offchainState();
      return report({ event: 'state', round: String(channel.round), tx: channel.state!.tx, balance: String(channel.balanceOf(me)), nodeTx: node.signed_tx });
    }
  }
}

const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => void run(JSON.parse(line) as VictimCommand));
// The test is gone: so is its victim.
commands.on('close', () => process.exit(0));
