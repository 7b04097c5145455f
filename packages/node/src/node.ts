/**
 * `startNode`: the local node. The channel WebSocket API (ws/server.ts) over an in-memory chain.
 */
import type { Encoded } from '@ch/codec';
import { Chain, type ChainOptions } from './chain/index.js';
import type { ChainAccess } from './fsm/chain-access.js';
import { PROFILES, type ProfileName } from './profiles.js';
import { serveChannels } from './ws/server.js';

export interface NodeOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** The network id clients sign with (e.g. `local_lima_testnet` for the seed). */
  readonly networkId: string;
  /** Which node vintage to behave as (profiles.ts); `seed` by default. */
  readonly profile?: ProfileName;
  readonly accounts?: ChainOptions['accounts'];
  /** `'instant'` (the default) also mines the blocks a channel waits for to see its txs deep enough. */
  readonly mining?: ChainOptions['mining'];
}

export interface RunningNode {
  /** `ws://host:port/channel`: add the open parameters as a query string. */
  readonly url: string;
  readonly port: number;
  readonly chain: Chain;
  /** Closes every session and the server, and stops mining. */
  stop(): Promise<void>;
}

export async function startNode(options: NodeOptions): Promise<RunningNode> {
  const { port = 0, host = '127.0.0.1', networkId, profile = 'seed', accounts = [], mining = 'instant' } = options;
  const { createTxVersion } = PROFILES[profile];
  // The seed's node ran Lima (create tx version 1); the current one runs Iris and later (version 2).
  const chain = new Chain({ networkId, accounts, mining, protocol: createTxVersion === 1 ? 'lima' : 'iris' });
  const server = await serveChannels({ port, host, profile: PROFILES[profile], chain: chainAccess(chain, networkId, mining === 'instant') });
  return {
    url: server.url,
    port: server.port,
    chain,
    async stop() {
      await server.close();
      chain.stop();
    },
  };
}

function chainAccess(chain: Chain, networkId: string, instant: boolean): ChainAccess {
  return {
    networkId,
    hasAccount: (account) => chain.account(account) !== undefined,
    nextNonce: (account) => chain.nextNonce(account),
    minFee: (tx) => chain.fee(tx),
    submit: (tx) => chain.submit(tx).txHash,
    waitForDepth: (txHash, depth) => (instant ? mineUntilDeep(chain, txHash, depth) : chain.waitForDepth(txHash, depth)),
  };
}

/** Instant mining makes a block per batch of txs; a tx waiting for depth gets the blocks on top it needs. */
function mineUntilDeep(chain: Chain, txHash: Encoded<'th'>, depth: number): Promise<void> {
  const shallow = (): boolean => {
    const height = chain.txHeight(txHash);
    return height !== undefined && chain.height - height < depth;
  };
  const mineIfShallow = (): void => {
    if (shallow()) setImmediate(() => shallow() && chain.mine());
  };
  const unsubscribe = chain.onBlock(mineIfShallow);
  mineIfShallow();
  const reached = chain.waitForDepth(txHash, depth);
  void reached.then(unsubscribe);
  return reached;
}
