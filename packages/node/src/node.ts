/**
 * `startNode`: the local node. The channel WebSocket API (ws/server.ts) over an in-memory chain.
 */
import type { Encoded } from '@ch/codec';
import { Chain, ChainErrorCode, fee, isChainError, type ChainOptions } from './chain/index.js';
import type { ChainAccess } from './fsm/chain-access.js';
import { channelOf } from './fsm/watcher.js';
import { PROFILES, type ProfileName } from './profiles.js';
import { connectionLimits, type ConnectionLimits } from './ws/limits.js';
import { serveChannels } from './ws/server.js';

export interface NodeOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** The network id clients sign with (e.g. `local_lima_testnet` for the seed). */
  readonly networkId: string;
  /** Which node vintage to behave as (profiles.ts); `current` (the node today) by default. */
  readonly profile?: ProfileName;
  readonly accounts?: ChainOptions['accounts'];
  /** `'instant'` (the default) also mines the blocks a channel waits for to see its txs deep enough. */
  readonly mining?: ChainOptions['mining'];
  /** A client that sends no frame for this long is dropped with close code 1000, as the node does after a minute (the default); the same as `limits.idleTimeoutMs`. */
  readonly idleTimeoutMs?: number;
  /** What one connection may cost the node (ws/limits.ts `DEFAULT_LIMITS` for any not given); each a positive integer. */
  readonly limits?: Partial<ConnectionLimits>;
  /** Where the node reports a connection closed for breaking a limit, once per connection; stderr by default. */
  readonly log?: (line: string) => void;
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
  const { port = 0, host = '127.0.0.1', networkId, profile = 'current', accounts = [], mining = 'instant', idleTimeoutMs, log = logToStderr } = options;
  const limits = connectionLimits({ ...(idleTimeoutMs !== undefined && { idleTimeoutMs }), ...options.limits });
  const { createTxVersion } = PROFILES[profile];
  // The seed's node ran Lima (create tx version 1); the current one runs Iris and later (version 2).
  const chain = new Chain({ networkId, accounts, mining, protocol: createTxVersion === 1 ? 'lima' : 'iris' });
  let running = true;
  const server = await serveChannels({ port, host, profile: PROFILES[profile], chain: chainAccess(chain, networkId, mining === 'instant', () => running), limits, log });
  return {
    url: server.url,
    port: server.port,
    chain,
    async stop() {
      running = false;
      await server.close();
      chain.stop();
    },
  };
}

function logToStderr(line: string): void {
  process.stderr.write(`ch-node: ${line}\n`);
}

function chainAccess(chain: Chain, networkId: string, instant: boolean, running: () => boolean): ChainAccess {
  // Instant mining makes a block per batch of txs; what waits for the chain gets the blocks it needs.
  const mined = (short: () => boolean, reached: Promise<void>): Promise<void> => (instant ? mineWhile(chain, () => running() && short(), reached) : reached);
  return {
    networkId,
    height: () => chain.height,
    hasAccount: (account) => chain.account(account) !== undefined,
    nextNonce: (account) => chain.nextNonce(account),
    minFee: (tx, gasPrice) => (gasPrice === undefined ? chain.fee(tx) : fee(tx, { gasPrice })),
    submit: (tx) => chain.submit(tx).txHash,
    channel: (id) => chain.channel(id),
    knowsTx: (tx) => knows(chain, tx),
    onChannelTx: channelTxRoutes(chain),
    waitForDepth: (txHash, depth) => {
      const shallow = (): boolean => {
        const height = chain.txHeight(txHash);
        return height !== undefined && chain.height - height < depth;
      };
      return mined(shallow, chain.waitForDepth(txHash, depth));
    },
    waitForHeight: (height) => mined(() => chain.height < height, waitForHeight(chain, height)),
  };
}

type ChannelTxListener = (tx: Encoded<'tx'>, txHash: Encoded<'th'>) => void;

/**
 * Each mined channel tx goes to the listeners of its channel only, its channel read once: with
 * every channel's watchers hearing every tx, opening N channels cost O(N²).
 */
function channelTxRoutes(chain: Chain): ChainAccess['onChannelTx'] {
  const routes = new Map<Encoded<'ch'>, Set<ChannelTxListener>>();
  chain.onTx(({ tx, txHash }) => {
    const listeners = routes.get(channelOf(tx)!);
    if (listeners !== undefined) for (const listener of [...listeners]) listener(tx, txHash);
  });
  return (channelId, listener) => {
    let listeners = routes.get(channelId);
    if (listeners === undefined) routes.set(channelId, (listeners = new Set()));
    // Wrapped: the same function may listen twice, and each subscription ends on its own.
    const subscription: ChannelTxListener = (tx, txHash) => listener(tx, txHash);
    listeners.add(subscription);
    return () => {
      listeners.delete(subscription);
      if (listeners.size === 0 && routes.get(channelId) === listeners) routes.delete(channelId);
    };
  };
}

/** A tx in a block or in the mempool: the chain refuses it as a duplicate (it has no public mempool lookup). */
function knows(chain: Chain, tx: Encoded<'tx'>): boolean {
  try {
    chain.validate(tx);
    return false;
  } catch (e) {
    return isChainError(e, ChainErrorCode.DUPLICATE_TX);
  }
}

function waitForHeight(chain: Chain, height: number): Promise<void> {
  if (chain.height >= height) return Promise.resolve();
  return new Promise((resolve) => {
    const unsubscribe = chain.onBlock(() => {
      if (chain.height < height) return;
      unsubscribe();
      resolve();
    });
  });
}

/** Mines a block after each block (or now) while `short` holds, until `reached` resolves. */
function mineWhile(chain: Chain, short: () => boolean, reached: Promise<void>): Promise<void> {
  const mineIfShort = (): void => {
    if (short()) setImmediate(() => short() && chain.mine());
  };
  const unsubscribe = chain.onBlock(mineIfShort);
  mineIfShort();
  void reached.then(unsubscribe);
  return reached;
}
