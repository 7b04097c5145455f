/**
 * A channel client in a child process that a test can kill with SIGKILL (crash-process.test.ts).
 * The child (crash-child.ts, bundled with esbuild since Node 20 runs no TypeScript) takes commands
 * on stdin and reports events on stdout, one JSON line each. Told to die at a step of a round, it
 * reports reaching it and blocks its only thread, so the SIGKILL lands exactly there.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Encoded } from '@ch/codec';
import { MessageInbox } from '../../../../tools/message-inbox.js';
import { bundleForNode } from '../../../../tools/node-bundle.js';
import type { NodeTimeouts } from '../query.js';
import type { Role } from '../signer.js';

/** The steps of a round a client can die at. */
export const STEPS = ['before sign', 'after sign', 'after ack'] as const;
export type Step = (typeof STEPS)[number];

export interface VictimConfig {
  readonly url: string;
  readonly role: Role;
  readonly initiatorId: Encoded<'ak'>;
  readonly responderId: Encoded<'ak'>;
  /** The victim's secret key, hex. */
  readonly secretKey: string;
  /** Its LogStore's directory. */
  readonly dir: string;
  readonly port: number;
  readonly nodeTimeouts: NodeTimeouts;
  /** Reestablish this channel from the store; without it, open a new one with the seed's terms. */
  readonly channelId?: Encoded<'ch'>;
}

/** Rounds and amounts travel as decimal strings. */
export type VictimCommand =
  | { readonly cmd: 'die'; readonly step: Step; readonly round: string }
  /** Pays the peer `amount`. */
  | { readonly cmd: 'transfer'; readonly amount: string }
  /** Pays the peer 1, again and again, until killed. */
  | { readonly cmd: 'stream' }
  /** Reports its last co-signed state and the node's. */
  | { readonly cmd: 'state' };

export type VictimEvent =
  /** Its WebSocket to the node is open (a responder must be there before the initiator comes). */
  | { readonly event: 'connected' }
  | { readonly event: 'open'; readonly channelId: Encoded<'ch'>; readonly round: string; readonly tx: Encoded<'tx'> }
  /** A step of the round reached; `dying`: blocked there, waiting for the kill. */
  | { readonly event: 'step'; readonly step: Step; readonly round: string; readonly dying: boolean }
  /** A `die` command is set: the round it names may start. */
  | { readonly event: 'armed'; readonly round: string }
  | { readonly event: 'transferred'; readonly round: string }
  | { readonly event: 'failed'; readonly error: string }
  /** Its last co-signed state, its own balance in it, and the state its node holds. */
  | { readonly event: 'state'; readonly round: string; readonly tx: Encoded<'tx'>; readonly balance: string; readonly nodeTx: Encoded<'tx'> }
  /** For diagnosis: the last events received are part of the message of a wait that fails. */
  | { readonly event: 'conflict'; readonly code: number; readonly round: string; readonly stray: boolean }
  | { readonly event: 'error'; readonly message: string };

type EventOf<E extends VictimEvent['event']> = Extract<VictimEvent, { event: E }>;

/** Bundles the child's entry (workspace packages from their sources) into `dir`; returns the file. */
export async function bundleVictim(dir: string): Promise<string> {
  const outfile = join(dir, 'crash-child.mjs');
  await bundleForNode(fileURLToPath(new URL('./crash-child.ts', import.meta.url)), outfile);
  return outfile;
}

export class VictimProcess {
  readonly events = new MessageInbox<VictimEvent>();
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #exited: Promise<NodeJS.Signals | null>;
  #stderr = '';

  constructor(bundle: string, config: VictimConfig) {
    this.#child = spawn(process.execPath, [bundle, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let partial = '';
    this.#child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) this.events.push(JSON.parse(line) as VictimEvent);
    });
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr += chunk;
    });
    // A command to a child that died is lost with it; the wait for its answer reports that.
    this.#child.stdin.on('error', () => undefined);
    // 'close' (not 'exit'): every line it wrote has been read by then.
    this.#exited = new Promise((resolve) =>
      this.#child.once('close', (_code, signal) => {
        this.events.close();
        resolve(signal);
      }),
    );
  }

  send(command: VictimCommand): void {
    this.#child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  /** The next such event that matches (after those already taken); fails with the child's stderr. */
  async next<E extends VictimEvent['event']>(event: E, ms = 10_000, match: (e: EventOf<E>) => boolean = () => true): Promise<EventOf<E>> {
    try {
      return (await this.events.next((e) => e.event === event && match(e as EventOf<E>), ms)) as EventOf<E>;
    } catch (e) {
      throw new Error(`waiting for "${event}" from the victim: ${(e as Error).message}\nits stderr: ${this.#stderr}`, { cause: e });
    }
  }

  /** SIGKILL; resolves with the signal it died of once it is gone. */
  kill(): Promise<NodeJS.Signals | null> {
    this.#child.kill('SIGKILL');
    return this.#exited;
  }
}
