/**
 * What the flow tests share: a node for a recorded log (after its group's opening, where the
 * recorded suite ran a group on one channel), the replay, and the comparison of what each session
 * received with what the recorded one did.
 */
import { buildTx, generateKeyPair, initialState, poiFromState, signTx, Tag, unpackTx, type Encoded, type KeyPair } from '@ch/codec';
import { startNode, type RunningNode } from '../node.js';
import type { Json } from './client.js';
import { checkStateHashes, type Terms } from './state-hashes.js';
import { TranscriptReplay, type ReplayOptions, type Session } from './transcript-replay.js';
import { loadTranscript, shape, type Actor, type Step } from './transcripts.js';

/** The network ids of the example logs: most were recorded on Iris in 2020, a few on Lima. */
export const IRIS = 'local_iris_testnet';
const LIMA = 'local_lima_testnet';

export interface Flow {
  readonly node: RunningNode;
  readonly keys: { readonly [A in Actor]: KeyPair };
  readonly steps: Step[];
}

export interface PlayOptions {
  /** The group's opening the recorded suite ran the log after (a path under transcripts/json-rpc/). */
  readonly init?: string;
  /** Recorded in January 2020 on Lima: create tx version 1 and Lima's network id, as the seed profile runs. */
  readonly lima?: boolean;
  /** The recorded suite posted solo closes on old states for the clients to slash. */
  readonly slash?: boolean;
  readonly hooks?: ReplayOptions['hooks'];
  readonly query?: ReplayOptions['query'];
  readonly previousSession?: ReplayOptions['previousSession'];
  /** Replays the steps before this index only. */
  readonly until?: number;
}

/** The group's opening followed by the log's own steps, numbered on (paths under transcripts/json-rpc/). */
function groupSteps(init: string | undefined, file: string): Step[] {
  const head = init === undefined ? [] : loadTranscript(`json-rpc/${init}`);
  const shift = (n: number) => n + head.length;
  const tail = loadTranscript(`json-rpc/${file}`).map((s) => ({ ...s, index: shift(s.index ?? 0), ...(s.reply_step !== undefined && { reply_step: shift(s.reply_step) }) }));
  return [...head.map((s, n) => ({ ...s, index: n })), ...tail];
}

/**
 * Plays one recorded log at a time against a node of its own, with two funded accounts. The node
 * mines only when the replay finds it waiting for a block (`ReplayOptions.mine`), so blocks come
 * where the recorded node's came. `stop` (for afterEach) ends it all, even after a failure.
 */
export class FlowRunner {
  flow: Flow | undefined;
  replay: TranscriptReplay | undefined;

  async play(file: string, options: PlayOptions = {}): Promise<TranscriptReplay> {
    const keys = { initiator: generateKeyPair(), responder: generateKeyPair() };
    const networkId = options.lima ? LIMA : IRIS;
    const node = await startNode({
      networkId,
      profile: options.lima ? 'seed' : 'current',
      accounts: Object.values(keys).map((k) => ({ publicKey: k.publicKey, balance: 10n ** 21n })),
      mining: { intervalMs: 3_600_000 },
    });
    const flow: Flow = { node, keys, steps: groupSteps(options.init, file) };
    this.flow = flow;
    const { hooks = options.slash ? slashHooks(flow) : {}, query, previousSession } = options;
    this.replay = new TranscriptReplay(flow.steps, {
      node,
      keys,
      networkId,
      mine: () => void node.chain.mine(),
      hooks,
      ...(query && { query }),
      ...(previousSession && { previousSession }),
    });
    await this.replay.run(options.until);
    return this.replay;
  }

  /** Closes every client and stops the node. */
  async stop(): Promise<void> {
    for (const session of this.replay?.sessions ?? []) await session.client.close();
    await this.flow?.node.stop();
    this.flow = this.replay = undefined;
  }

  /**
   * What each session received, and what the recorded one did, as shapes. `racyTails` names
   * sessions whose last n messages came in an order block timing decided: those are sorted.
   */
  compared(racyTails: { readonly [session: number]: number } = {}): { got: string[][]; want: string[][] } {
    const sessions = this.replay!.sessions;
    const shapes = (messages: readonly Json[], n: number): string[] => {
      const all = stopTail(messages.map(shape));
      const racy = racyTails[n] ?? 0;
      return racy === 0 ? all : [...all.slice(0, -racy), ...all.slice(-racy).sort()];
    };
    return { got: sessions.map((s, n) => shapes(s.client.received, n)), want: sessions.map((s, n) => shapes(s.expected, n)) };
  }

  /** Checks the state hash (and PoI) of every tx an actor's sessions were sent; returns how many were checked. */
  checkHashes(actor: Actor): number {
    return checkStateHashes(
      this.replay!.of(actor).flatMap((s: Session) => s.client.received),
      termsOf(this.flow!),
    );
  }
}

/**
 * The end of a session stopped by `channels.system stop`: its "ok" and its `died`, and the peer's
 * `died`, come in either order (the recorded logs show both).
 */
function stopTail(shapes: string[]): string[] {
  let n = shapes.length;
  while (n > 0 && (shapes[n - 1] === 'reply ok' || shapes[n - 1] === 'info died')) n--;
  return [...shapes.slice(0, n), ...shapes.slice(n).sort()];
}

/** The channel terms of a recorded opening, with this run's accounts. */
function termsOf(flow: Flow): Terms {
  const query = flow.steps.find((s) => s.event === 'ws_open')!.query!;
  return {
    initiator: flow.keys.initiator.publicKey,
    responder: flow.keys.responder.publicKey,
    initiatorAmount: BigInt(query.initiator_amount!),
    responderAmount: BigInt(query.responder_amount!),
    pushAmount: BigInt(query.push_amount!),
    channelReserve: BigInt(query.channel_reserve!),
  };
}

/**
 * What the recorded suite did behind the clients' backs before a slash: the initiator closes the
 * latest channel alone on the state on chain (round 1), which both FSMs hold a later state than.
 */
function closeOnOldState(flow: Flow): (replay: TranscriptReplay) => void {
  return (r) => {
    const { chain } = flow.node;
    const { initiator } = flow.keys;
    const channelId = r.sessions
      .at(-1)!
      .client.received.map((m) => (m.params as Json | undefined)?.channel_id)
      .find((id) => typeof id === 'string') as Encoded<'ch'>;
    const tx = (fee: bigint): Encoded<'tx'> =>
      buildTx({
        tag: Tag.ChannelCloseSoloTx,
        version: 1,
        channelId,
        fromId: initiator.publicKey,
        payload: null,
        poi: poiFromState(initialState(termsOf(flow))),
        ttl: 0n,
        fee,
        nonce: chain.nextNonce(initiator.publicKey),
      });
    chain.submit(signTx(tx(chain.fee(tx(0n))), initiator.secretKey, r.options.networkId));
  };
}

/** Closes each of the log's channels on an old state where its first `can_slash` was recorded. */
function slashHooks(flow: Flow): NonNullable<ReplayOptions['hooks']> {
  const hooks: { [index: number]: (replay: TranscriptReplay) => void } = {};
  let armed = false;
  for (const step of flow.steps) {
    if (step.event === 'ws_open' && step.actor === 'initiator') armed = true;
    if (armed && step.dir === 'recv' && step.message && shape(step.message) === 'on_chain_tx can_slash') {
      hooks[step.index!] = closeOnOldState(flow);
      armed = false;
    }
  }
  return hooks;
}

/** The fee of every tx the node asked a client to sign that has one. */
export function feesToSign(replay: TranscriptReplay): bigint[] {
  return replay.sessions
    .flatMap((s) => s.client.received)
    .filter((m) => String(m.method).startsWith('channels.sign.'))
    .flatMap((m) => {
      const tx = unpackTx(((m.params as Json).data as Json).signed_tx as Encoded<'tx'>, Tag.SignedTx).encodedTx;
      return 'fee' in tx ? [tx.fee] : [];
    });
}
