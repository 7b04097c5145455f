/**
 * Where a scenario runs: an embedded @ch/node with two fresh funded accounts, or a node the user
 * runs (with the accounts they name). Both give a channel URL, a network id and two key pairs.
 */
import { createConnection } from 'node:net';
import { generateKeyPair, type KeyPair, type NodeOptions } from '@ch/client';
import { startNode, type Chain } from '@ch/node';
import type { ExternalNode } from './args.js';

export interface Setting {
  readonly url: string;
  readonly networkId: string;
  readonly initiator: KeyPair;
  readonly responder: KeyPair;
  /** The node's open parameters both parties pass. */
  readonly node: NodeOptions;
  /** The embedded node's chain, to read on-chain balances; a remote node's is not at hand. */
  readonly chain: Chain | undefined;
  stop(): Promise<void>;
}

/** The seed's network id (its node ran the Lima protocol). */
export const SEED_NETWORK_ID = 'local_lima_testnet';
/** What each fresh account starts with on the embedded chain: 1 AE. */
export const GENESIS_BALANCE = 10n ** 18n;

export async function embeddedSetting(): Promise<Setting> {
  const initiator = generateKeyPair();
  const responder = generateKeyPair();
  const accounts = [initiator, responder].map((k) => ({ publicKey: k.publicKey, balance: GENESIS_BALANCE }));
  // The seed profile: the 2019 node that recorded the seed (two conflict reports per race, aborts as conflicts).
  const node = await startNode({ networkId: SEED_NETWORK_ID, profile: 'seed', accounts });
  return { url: node.url, networkId: SEED_NETWORK_ID, initiator, responder, node: { keepRunning: false }, chain: node.chain, stop: () => node.stop() };
}

export async function externalSetting(external: ExternalNode): Promise<Setting> {
  await reachable(external.url);
  return {
    url: external.url,
    networkId: external.networkId,
    initiator: external.initiator,
    responder: external.responder,
    node: { keepRunning: false, port: external.port },
    chain: undefined,
    stop: async () => undefined,
  };
}

/** Fails with one readable line when nothing listens at the node's address. */
async function reachable(url: string): Promise<void> {
  const { hostname, port, protocol } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    const socket = createConnection({ host, port: Number(port || (protocol === 'wss:' ? 443 : 80)), timeout: 5000 });
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`cannot reach the node at ${url}: ${why}`));
    };
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    socket.once('timeout', () => fail('no answer within 5 s'));
    socket.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ECONNREFUSED' ? 'connection refused (is the node running?)' : (e.code ?? e.message)));
  });
}
