/**
 * The two nodes a client scenario runs against, behind one interface: `@ch/node` in its current
 * profile, and the real aeternity node (tools/real-node.ts). A scenario written once against a
 * `Counterpart` runs on both, so a difference between them shows up in CI, not with users.
 */
import { generateKeyPair, type Encoded } from '@ch/codec';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeRealNode, type RealNode } from '../../../../tools/real-node.js';
import { Channel } from '../channel.js';
import type { OpenOptions } from '../options.js';
import { secretKeySigner } from '../signer.js';
import { MemoryStore } from '../store/store.js';
import { startTestNode } from './pair.js';
import { NETWORK_ID, SEED_TERMS } from './terms.js';

export interface Account {
  readonly id: Encoded<'ak'>;
  readonly secretKey: Uint8Array;
}

export interface Counterpart {
  readonly name: 'ch-node' | 'aeternity';
  readonly url: string;
  readonly networkId: string;
  /** Funded accounts; each test takes fresh ones with `take`. */
  readonly accounts: readonly Account[];
  /** The next nonce the chain expects of `account`. */
  nextNonce(account: Encoded<'ak'>): Promise<bigint>;
  /** Returns once `blocks` more key blocks are on the chain. */
  waitBlocks(blocks: number): Promise<void>;
  /** Posts a signed tx to the chain, as a party acting outside the channel would. */
  postTx(tx: Encoded<'tx'>): Promise<void>;
}

const ACCOUNTS = 8;

/**
 * Declares `body` once per counterpart: `@ch/node` started for the block, and the real node
 * (skipped with one line when it is not there).
 */
export function describeOnBothNodes(name: string, body: (counterpart: () => Counterpart) => void): void {
  describe(`${name} · ch-node`, () => {
    let current: Counterpart | undefined;
    let stop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const keys = Array.from({ length: ACCOUNTS }, () => generateKeyPair());
      const node = await startTestNode('current', keys);
      stop = () => node.stop();
      current = {
        name: 'ch-node',
        url: node.url,
        networkId: NETWORK_ID,
        accounts: keys.map((k) => ({ id: k.publicKey, secretKey: k.secretKey })),
        nextNonce: async (account) => node.chain.nextNonce(account),
        waitBlocks: async (blocks) => {
          for (let n = 0; n < blocks; n++) node.chain.mine();
        },
        postTx: async (tx) => void node.chain.submit(tx),
      };
    });
    afterAll(() => stop?.());
    body(() => current!);
  });
  describeRealNode(`${name} · aeternity`, (node) => {
    let current: Counterpart | undefined;
    body(() => (current ??= realCounterpart(node())));
  });
}

function realCounterpart(node: RealNode): Counterpart {
  const height = async () => BigInt((await node.get('/v3/key-blocks/current/height')).height as string);
  return {
    name: 'aeternity',
    url: node.url,
    networkId: node.networkId,
    accounts: node.accounts,
    nextNonce: async (account) => BigInt((await node.get(`/v3/accounts/${account}`)).nonce as string) + 1n,
    postTx: async (tx) => void (await node.postTx(tx)),
    async waitBlocks(blocks) {
      const target = (await height()) + BigInt(blocks);
      // Dev mode makes a key block about every second.
      const deadline = Date.now() + 10_000 + blocks * 3_000;
      while ((await height()) < target) {
        if (Date.now() > deadline) throw new Error(`the real node did not reach height ${target}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}

let nextPort = 15_000 + Math.floor(Math.random() * 5_000);

/** A free port for the responder's node to listen on for one channel. */
export function channelPort(): number {
  return nextPort++;
}

/** One party's options for a channel between accounts `pair` of the counterpart, the seed's terms with `terms` changed. */
export function optionsOn(counterpart: Counterpart, pair: readonly [number, number], role: 'initiator' | 'responder', port: number, terms: { readonly [K in keyof typeof SEED_TERMS]?: bigint } = {}): OpenOptions {
  const [i, r] = [counterpart.accounts[pair[0]]!, counterpart.accounts[pair[1]]!];
  return {
    url: counterpart.url,
    role,
    networkId: counterpart.networkId,
    initiatorId: i.id,
    responderId: r.id,
    ...SEED_TERMS,
    ...terms,
    port,
    minimumDepth: 1,
    minimumDepthStrategy: 'plain',
    signer: secretKeySigner((role === 'initiator' ? i : r).secretKey),
    store: new MemoryStore(),
    timeouts: { open: 60_000, update: 20_000, onChain: 60_000 },
  };
}

/**
 * Opens a channel between accounts `pair` of the counterpart (the responder connects first, which
 * the real node opens fastest); `side` overrides either party's options.
 */
export async function openOn(
  counterpart: Counterpart,
  pair: readonly [number, number],
  side: { initiator?: Partial<OpenOptions>; responder?: Partial<OpenOptions>; terms?: { readonly [K in keyof typeof SEED_TERMS]?: bigint } } = {},
): Promise<{ I: Channel; R: Channel; i: Encoded<'ak'>; r: Encoded<'ak'>; close(): void }> {
  const [i, r] = [counterpart.accounts[pair[0]]!, counterpart.accounts[pair[1]]!];
  const port = channelPort();
  const options = (role: 'initiator' | 'responder'): OpenOptions => ({ ...optionsOn(counterpart, pair, role, port, side.terms), ...side[role] });
  const R = Channel.connect(options('responder'));
  const I = Channel.connect(options('initiator'));
  try {
    await Promise.all([I.opened, R.opened]);
  } catch (e) {
    I.disconnect();
    R.disconnect();
    throw e;
  }
  return {
    I,
    R,
    i: i.id,
    r: r.id,
    close() {
      I.disconnect();
      R.disconnect();
    },
  };
}
