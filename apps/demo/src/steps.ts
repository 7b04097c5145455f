/**
 * The steps a scenario is made of. Each acts on the two parties' channels and returns what
 * happened and why, in a sentence or two; the runner adds the round, balances and conflicts.
 */
import { Channel, ConflictError, isChannelError, type ChannelStatus, type OpenOptions, type Role } from '@ch/client';
import { Tag, unpackTx, type Encoded } from '@ch/codec';
import type { Party } from './party.js';
import type { Recorder } from './transcript.js';
import type { Setting } from './setting.js';

export interface Stage {
  readonly setting: Setting;
  readonly recorder: Recorder;
  readonly initiator: Party;
  readonly responder: Party;
}

export interface Step {
  readonly name: string;
  /** What the step does, in one line. */
  readonly title: string;
  /** Shown as progress on a terminal while the step runs: it waits for the chain. */
  readonly waits?: string;
  /** Resolves with the step's summary: what happened and why. */
  run(stage: Stage): Promise<string>;
}

/** The seed's channel terms (its get.balances shows 69999999999999 / 40000000000001 after push 1). */
export const SEED_TERMS = {
  initiatorAmount: 70_000_000_000_000n,
  responderAmount: 40_000_000_000_000n,
  pushAmount: 1n,
  channelReserve: 2n,
  lockPeriod: 10n,
} as const;

/** The abort code the seed's initiator refuses its own update with (≥ 128: "user-defined"). */
export const SEED_ABORT_CODE = 147;

/** Of the order of the seed's amounts: on-chain fees are about 2·10^13 here. */
export const DEPOSIT = 30_000_000_000_000n;
export const WITHDRAWAL = 20_000_000_000_000n;

const CHAIN_WAIT_MS = 600_000;

function openOptions(stage: Stage, party: Party): OpenOptions {
  const { setting } = stage;
  return {
    url: setting.url,
    role: party.role,
    networkId: setting.networkId,
    initiatorId: setting.initiator.publicKey,
    responderId: setting.responder.publicKey,
    ...SEED_TERMS,
    ...setting.node,
    signer: party.signer,
    store: party.store,
    transport: stage.recorder.tap(party.role),
  };
}

/** Both parties at once, as two separate processes would; if one fails the other is let go. */
async function both(stage: Stage, connect: (party: Party) => Promise<Channel>): Promise<void> {
  const parties = [stage.initiator, stage.responder];
  const outcomes = await Promise.allSettled(parties.map(connect));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) {
    for (const o of outcomes) if (o.status === 'fulfilled') o.value.disconnect();
    throw failed.reason;
  }
  outcomes.forEach((o, n) => parties[n]!.adopt((o as PromiseFulfilledResult<Channel>).value));
}

function untilStatus(party: Party, wanted: readonly ChannelStatus[], ms = CHAIN_WAIT_MS): Promise<void> {
  const channel = party.channel;
  if (wanted.includes(channel.status)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`the ${party.role} did not get to ${wanted.join(' or ')} within ${ms} ms (it is ${channel.status})`));
    }, ms);
    const off = channel.on('status', (status) => {
      if (!wanted.includes(status)) return;
      off();
      clearTimeout(timer);
      resolve();
    });
  });
}

const ae = (party: Party) => party.key.publicKey;

/** How one party's call ended, for a summary. */
function outcome(role: Role, result: PromiseSettledResult<bigint>): string {
  if (result.status === 'fulfilled') return `the ${role}'s update went through (round ${result.value})`;
  const e: unknown = result.reason;
  if (e instanceof ConflictError) return `the ${role} got ConflictError code ${e.code} "${e.message}" and is back at round ${e.round}`;
  return `the ${role}'s update failed: ${isChannelError(e) ? `${e.kind}: ${e.message}` : String(e)}`;
}

/** Two proposals at the same moment: `first` calls transfer, then `second`, without waiting. */
async function race(stage: Stage, first: Party, second: Party, from: Party, to: Party, amounts: readonly [bigint, bigint]): Promise<string> {
  const round = first.channel.round;
  const results = await Promise.allSettled([first.channel.transfer(ae(from), ae(to), amounts[0]), second.channel.transfer(ae(from), ae(to), amounts[1])]);
  // The 2019 node reports the race a second time to each side after the first report settled it.
  await stage.recorder.quiet(200);
  return (
    `Both proposed round ${round + 1n} at the same moment (${first.role}: ${amounts[0]} from ${from.role} to ${to.role}, ` +
    `${second.role}: ${amounts[1]}). The node cannot co-sign two states of one round, so it drops both: ` +
    `${outcome(first.role, results[0])}; ${outcome(second.role, results[1])}.`
  );
}

export const STEPS = {
  open: {
    name: 'open',
    title: 'both parties open a channel with the seed terms (70000000000000 / 40000000000000, push 1, reserve 2, lock period 10)',
    waits: 'opening the channel (create tx, then its minimum depth on chain)',
    async run(stage) {
      await both(stage, (party) => Channel.open(openOptions(stage, party)));
      const { channel } = stage.initiator;
      return (
        `Channel ${channel.channelId} is open at round ${channel.round}: both signed the create tx, the node put it on chain ` +
        `and both saw it deep enough. The push amount moved 1 to the responder in the opening state.`
      );
    },
  },
  transfers: {
    name: 'transfers',
    title: "the seed's rounds 2–5: transfers of 1 each way, twice",
    async run(stage) {
      const { initiator: i, responder: r } = stage;
      let round = i.channel.round;
      for (const [from, to] of [[i, r], [r, i], [i, r], [r, i]] as const) round = await from.channel.transfer(ae(from), ae(to), 1n);
      return `Four transfers of 1, proposed by the payer and co-signed by the payee, one round each; they cancel out, so round ${round} has the opening balances, where the seed begins.`;
    },
  },
  race: {
    name: 'race',
    title: 'the seed: initiator and responder both propose round 6 at once',
    run: (stage) => race(stage, stage.initiator, stage.responder, stage.initiator, stage.responder, [1n, 2n]),
  },
  'race-back': {
    name: 'race-back',
    title: 'the seed again, the other way: the responder first, both paying the initiator',
    run: (stage) => race(stage, stage.responder, stage.initiator, stage.responder, stage.initiator, [1n, 2n]),
  },
  balances: {
    name: 'balances',
    title: "the initiator asks the node for both balances (channels.get.balances)",
    async run(stage) {
      const { initiator: i, responder: r } = stage;
      const balances = await i.channel.balances();
      return `The node reports ${balances.get(ae(i))} for the initiator and ${balances.get(ae(r))} for the responder: the state of round ${i.channel.round}, the last one both signed.`;
    },
  },
  abort: {
    name: 'abort',
    title: `the initiator's signer refuses its own update with code ${SEED_ABORT_CODE}`,
    async run(stage) {
      const { initiator: i, responder: r } = stage;
      i.abortNext = SEED_ABORT_CODE;
      const ended = roundEndReported(i.channel);
      const result = await Promise.allSettled([i.channel.transfer(ae(i), ae(r), 1n)]);
      // The client ends the round at its own abort; the node's report of it (a conflict from the
      // 2019 node, `aborted_update` since) belongs to this step too.
      await ended;
      return `The initiator proposed a transfer of 1, then its signer answered the sign request with {"abort": ${SEED_ABORT_CODE}} instead of a signature: ${outcome('initiator', result[0])}. Codes from 128 up are the client's own ("user-defined").`;
    },
  },
  'hang-up': {
    name: 'hang-up',
    title: 'both clients close their WebSockets, as the seed ends',
    async run(stage) {
      stage.initiator.channel.disconnect();
      stage.responder.channel.disconnect();
      await Promise.all([untilStatus(stage.initiator, ['disconnected']), untilStatus(stage.responder, ['disconnected'])]);
      return 'Both clients hung up. The channel stays open on chain; each store keeps the last co-signed state to reestablish from.';
    },
  },
  pay: {
    name: 'pay',
    title: 'transfers both ways: the initiator pays 1000, the responder pays back 400',
    async run(stage) {
      const { initiator: i, responder: r } = stage;
      const first = await i.channel.transfer(ae(i), ae(r), 1000n);
      const second = await r.channel.transfer(ae(r), ae(i), 400n);
      return `Rounds ${first} and ${second}: each co-signed by both; the responder is 600 up.`;
    },
  },
  deposit: {
    name: 'deposit',
    title: `the initiator deposits ${DEPOSIT} from its on-chain account`,
    waits: 'deposit: waiting for the deposit tx to reach minimum depth',
    async run(stage) {
      const round = await stage.initiator.channel.deposit(DEPOSIT);
      return `Both signed the deposit tx (the initiator pays its fee on chain); once the node saw it deep enough on chain, the initiator's larger balance became round ${round}.`;
    },
  },
  withdraw: {
    name: 'withdraw',
    title: `the responder withdraws ${WITHDRAWAL} to its on-chain account`,
    waits: 'withdrawal: waiting for the withdraw tx to reach minimum depth',
    async run(stage) {
      const round = await stage.responder.channel.withdraw(WITHDRAWAL);
      return `Both signed the withdraw tx (the responder pays its fee on chain); once it was deep enough on chain, the responder's smaller balance became round ${round}. No balance may go below the channel reserve (2).`;
    },
  },
  message: {
    name: 'message',
    title: 'a generic message each way (channels.message): no state, no signatures',
    async run(stage) {
      const { initiator: i, responder: r } = stage;
      const received = (party: Party) => new Promise<string>((resolve) => party.channel.once('message', (m) => resolve(m.info)));
      const atResponder = received(r);
      await i.channel.sendMessage(ae(r), 'hello from the initiator');
      const atInitiator = received(i);
      await r.channel.sendMessage(ae(i), 'hello back');
      return `The responder got "${await atResponder}", the initiator "${await atInitiator}": the node relays messages between the two without touching the state.`;
    },
  },
  leave: {
    name: 'leave',
    title: 'the initiator leaves: the channel stays on chain, both sessions end',
    async run(stage) {
      const { initiator: i, responder: r } = stage;
      await i.channel.leave();
      await Promise.all([untilStatus(i, ['left']), untilStatus(r, ['left', 'disconnected'])]);
      return `The node handed back the last co-signed state (round ${i.channel.round}), which each client stored; the channel needs no node while nobody updates it.`;
    },
  },
  reestablish: {
    name: 'reestablish',
    title: 'both parties come back from their stores (Channel.reestablish)',
    waits: 'reestablishing the channel',
    async run(stage) {
      const { setting, recorder } = stage;
      const channelId = stage.initiator.channel.channelId!;
      await both(stage, (party) =>
        Channel.reestablish({ url: setting.url, channelId, store: party.store, signer: party.signer, ...setting.node, transport: recorder.tap(party.role) }),
      );
      return `Both resumed ${channelId} at round ${stage.initiator.channel.round} from nothing but their stored records.`;
    },
  },
  close: {
    name: 'close',
    title: 'the responder closes the channel mutually (channels.shutdown)',
    waits: 'closing: waiting for the close tx on chain',
    async run(stage) {
      const { initiator: i, responder: r } = stage;
      const tx = await r.channel.shutdown();
      await Promise.all([untilStatus(i, ['closed']), untilStatus(r, ['closed'])]);
      const close = unpackTx(tx as Encoded<'tx'>, Tag.SignedTx).encodedTx;
      if (close.tag !== Tag.ChannelCloseMutualTx) throw new Error(`the node reported a ${close.tag} tx as the close`);
      return (
        `Both signed the close tx; it pays out the last co-signed balances less the fee (${close.fee}, half each): ` +
        `${close.initiatorAmountFinal} to the initiator, ${close.responderAmountFinal} to the responder. The channel is closed.`
      );
    },
  },
} satisfies Record<string, Step>;

export type StepName = keyof typeof STEPS;

/** Resolves once the node reports the end of a round (a conflict or `aborted_update`), or after 5 s. */
function roundEndReported(channel: Channel): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      offConflict();
      offInfo();
      resolve();
    };
    const timer = setTimeout(done, 5_000);
    const offConflict = channel.on('conflict', done);
    const offInfo = channel.on('info', (info) => info.event === 'aborted_update' && done());
  });
}
