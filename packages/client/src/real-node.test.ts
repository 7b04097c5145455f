/**
 * The client against the real aeternity node (tools/real-node.ts starts it, or reaches the one the
 * user names): open, transfers both ways, a deposit and a withdrawal, and the mutual close.
 */
import { unpackTx, type Encoded } from '@ch/codec';
import { expect, test } from 'vitest';
import { describeRealNode, type RealNode } from '../../../tools/real-node.js';
import { Channel } from './channel.js';
import type { OpenOptions } from './options.js';
import { secretKeySigner } from './signer.js';
import { MemoryStore } from './store/store.js';
import { until } from './test-support/until.js';

const TERMS = { initiatorAmount: 70_000_000_000_000n, responderAmount: 40_000_000_000_000n, pushAmount: 1n, channelReserve: 2n, lockPeriod: 10n } as const;
let nextPort = 14_000 + Math.floor(Math.random() * 4_000);

/** Both clients of a new channel between two of the node's funded accounts; the responder connects first. */
async function openOnRealNode(node: RealNode, pick: readonly [number, number]): Promise<[Channel, Channel]> {
  const [i, r] = pick.map((n) => node.accounts[n]!);
  const port = nextPort++;
  const options = (role: 'initiator' | 'responder'): OpenOptions => ({
    url: node.url,
    role,
    networkId: node.networkId,
    initiatorId: i!.id,
    responderId: r!.id,
    ...TERMS,
    port,
    minimumDepth: 1,
    minimumDepthStrategy: 'plain',
    signer: secretKeySigner((role === 'initiator' ? i : r)!.secretKey),
    store: new MemoryStore(),
    timeouts: { open: 60_000, update: 20_000, onChain: 60_000 },
  });
  const responder = Channel.connect(options('responder'));
  const initiator = Channel.connect(options('initiator'));
  await Promise.all([initiator.opened, responder.opened]);
  return [initiator, responder];
}

const innerOf = (tx: Encoded<'tx'>) => {
  const outer = unpackTx(tx);
  return outer.tag === 11 ? outer.encodedTx : outer;
};

describeRealNode('the client against the real aeternity node', (node) => {
  test('open, transfers both ways, deposit, withdraw, mutual close', async () => {
    const [I, R] = await openOnRealNode(node(), [0, 1]);
    try {
      const [i, r] = [I.terms.initiatorId, I.terms.responderId];
      expect(I.round).toBe(1n);
      expect(await I.transfer(i, r, 10n)).toBe(2n);
      expect(await R.transfer(r, i, 3n)).toBe(3n);
      expect(await I.deposit(1_000n)).toBe(4n);
      expect(await R.withdraw(500n)).toBe(5n);
      expect(I.balanceOf(i)).toBe(TERMS.initiatorAmount - 1n - 10n + 3n + 1_000n);
      expect(R.balanceOf(r)).toBe(TERMS.responderAmount + 1n + 10n - 3n - 500n);
      const close = await I.shutdown();
      const tx = innerOf(close);
      expect(tx.tag).toBe(53);
      await until(() => I.status === 'closed' && R.status === 'closed', 60_000);
    } finally {
      I.disconnect();
      R.disconnect();
    }
  }, 120_000);
});
