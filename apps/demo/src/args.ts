/** The command line: `util.parseArgs`, checked into `DemoOptions`. */
import { parseArgs } from 'node:util';
import type { KeyPair } from '@ch/codec';
import { keyPairFromText } from './keys.js';
import { DEFAULT_SCENARIO, SCENARIOS } from './scenarios.js';

export const HELP = `ch-demo — aeternity state channels, the seed transcript's story end to end

usage: pnpm demo [options]        (or: node apps/demo/dist/index.js [options])

Without options it starts a local channel node (@ch/node, the 2019 node's behaviour) on a free
port, gives two fresh accounts coins, and runs the "${DEFAULT_SCENARIO}" scenario: it opens a
channel with the seed's terms, replays the seed (transfers, two races at round 5 that both
sides lose with a conflict, an update refused with code 147), then deposits, withdraws, sends
a message, leaves and reestablishes, and closes the channel mutually.

options
  --scenario NAME      run one scenario (see --list)
  --list               list the scenarios and exit
  --transcript FILE    also write the transcript as markdown, in the seed's format
  --json               print machine-readable results (per step: round, balances, conflicts)
  --quiet              print only the summary of each step, not the messages
  --node URL           use a running node, e.g. ws://localhost:3014/channel (an aeternity node
                       or a separate ch-node); needs --network-id and both parties' keys
  --network-id ID      the node's network id, e.g. ae_uat or local_lima_testnet
  --initiator-key KEY  the initiator's secret key (hex or sk_…); or env CH_INITIATOR_SECRET
  --responder-key KEY  the responder's secret key (hex or sk_…); or env CH_RESPONDER_SECRET
  --port N             with --node: the responder's port for the peer session (default 3333)
  -h, --help           show this help

With --node, both accounts must exist on that node's chain and hold enough to fund the channel
(initiator 70000000000000 + fees, responder 40000000000000 + fees, in aettos) and the scenario's
deposits and fees. Opening then waits for the node's minimum depth, which takes real blocks.
Colours are used on a terminal unless NO_COLOR is set; piped output is plain.
`;

export interface ExternalNode {
  readonly url: string;
  readonly networkId: string;
  readonly initiator: KeyPair;
  readonly responder: KeyPair;
  readonly port: number;
}

export interface DemoOptions {
  readonly help: boolean;
  readonly list: boolean;
  readonly scenario: string;
  readonly transcript: string | undefined;
  readonly json: boolean;
  readonly quiet: boolean;
  /** Undefined: the embedded node. */
  readonly node: ExternalNode | undefined;
}

/** Throws an `Error` whose message is the one line to show the user. */
export function parseDemoArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DemoOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      list: { type: 'boolean', default: false },
      scenario: { type: 'string', default: DEFAULT_SCENARIO },
      transcript: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      node: { type: 'string' },
      'network-id': { type: 'string' },
      'initiator-key': { type: 'string' },
      'responder-key': { type: 'string' },
      port: { type: 'string' },
    },
  });
  if (!SCENARIOS.some((s) => s.name === values.scenario)) {
    throw new Error(`unknown scenario "${values.scenario}"; --list shows them`);
  }
  return {
    help: values.help,
    list: values.list,
    scenario: values.scenario,
    transcript: values.transcript,
    json: values.json,
    quiet: values.quiet,
    node: values.node === undefined ? undefined : externalNode(values.node, values, env),
  };
}

function externalNode(url: string, values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): ExternalNode {
  if (!/^wss?:\/\/[^/]+\/channel$/.test(url)) throw new Error(`--node: expected ws://HOST:PORT/channel, got ${url}`);
  const networkId = values['network-id'];
  if (typeof networkId !== 'string') throw new Error('--node needs --network-id (the network id of that node, e.g. ae_uat)');
  const key = (role: 'initiator' | 'responder', variable: string): KeyPair => {
    const text = values[`${role}-key`] ?? (env[variable] || undefined);
    if (typeof text !== 'string') throw new Error(`--node needs the ${role}'s secret key: --${role}-key or ${variable} (a funded account on that node)`);
    return keyPairFromText(text, `the ${role}'s key`);
  };
  const port = values.port === undefined ? 3333 : Number(values.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`--port: expected a port number, got ${String(values.port)}`);
  return { url, networkId, initiator: key('initiator', 'CH_INITIATOR_SECRET'), responder: key('responder', 'CH_RESPONDER_SECRET'), port };
}
