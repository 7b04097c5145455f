/** Blocks, the mempool, mining modes, events and depth waits of the in-memory chain. */
import { generateKeyPair } from '@ch/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { Chain, type Block, type IncludedTx } from './chain.js';
import { ChannelKit, NETWORK_ID, sign } from './channel-kit.test-helper.js';

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let kit: ChannelKit;
afterEach(() => kit.chain.stop());

describe('instant mining', () => {
  it('mines on the tick after a submit, every tx submitted before it in one block', async () => {
    kit = new ChannelKit({ mining: 'instant' });
    const { chain, initiator: I } = kit;
    const blocks: Block[] = [];
    const txs: IncludedTx[] = [];
    chain.onBlock((block) => blocks.push(block));
    chain.onTx((tx) => txs.push(tx));

    // The deposit builds on the channel the create makes: the mempool's state counts.
    const create = chain.submit(sign(kit.createTx(), kit.both));
    const deposit = chain.submit(sign(kit.depositTx(I, 1n), kit.both));
    expect(chain.height).toBe(0);
    expect(chain.account(I.publicKey)?.nonce).toBe(0n);
    expect(chain.nextNonce(I.publicKey)).toBe(3n);

    await nextTick();
    expect(chain.height).toBe(1);
    expect(blocks).toEqual([chain.block(1)]);
    expect(blocks[0]!.txHashes).toEqual([create.txHash, deposit.txHash]);
    expect(txs.map((t) => [t.txHash, t.height])).toEqual([
      [create.txHash, 1],
      [deposit.txHash, 1],
    ]);
    expect(txs[1]!.signedTx.encodedTx.tag).toBe(51);
    expect(chain.txHeight(deposit.txHash)).toBe(1);
    expect(chain.account(I.publicKey)?.nonce).toBe(2n);
  });

  it('leaves the tick nothing to mine after a mine() call', async () => {
    kit = new ChannelKit({ mining: 'instant' });
    kit.chain.submit(sign(kit.createTx(), kit.both));
    kit.chain.mine();
    await nextTick();
    expect(kit.chain.height).toBe(1);
  });

  it('does not mine once stopped, but mine() still does', async () => {
    kit = new ChannelKit({ mining: 'instant' });
    kit.chain.stop();
    kit.chain.submit(sign(kit.createTx(), kit.both));
    await nextTick();
    expect(kit.chain.height).toBe(0);
    expect(kit.chain.mine().txHashes).toHaveLength(1);
  });
});

describe('interval mining', () => {
  it('makes blocks on the interval, empty or not', async () => {
    kit = new ChannelKit({ mining: { intervalMs: 5 } });
    const { txHash } = kit.chain.submit(sign(kit.createTx(), kit.both));
    await kit.chain.waitForDepth(txHash, 2);
    const height = kit.chain.txHeight(txHash)!;
    expect(kit.chain.height).toBeGreaterThanOrEqual(height + 2);
    expect(kit.chain.block(height + 1)?.txHashes).toEqual([]);
  });

  it('refuses a non-positive interval', () => {
    kit = new ChannelKit();
    expect(() => new Chain({ networkId: NETWORK_ID, mining: { intervalMs: 0 } })).toThrow(RangeError);
  });
});

describe('waitForDepth', () => {
  it('counts depth as the node does: top height − the tx height', async () => {
    kit = new ChannelKit();
    const { chain } = kit;
    const tx = sign(kit.createTx(), kit.both);
    const reached: number[] = [];
    // Waiting may start before the tx is even submitted.
    const { txHash } = chain.validate(tx);
    const waits = [0, 1, 3].map((depth) => chain.waitForDepth(txHash, depth).then(() => reached.push(depth)));
    chain.submit(tx);
    for (let i = 0; i < 4; i++) {
      chain.mine();
      await nextTick();
      expect(reached).toEqual([0, 1, 3].filter((depth) => depth <= i));
    }
    await Promise.all(waits);
    await chain.waitForDepth(txHash, 3);
  });
});

describe('listeners', () => {
  it('stop being called once unsubscribed', () => {
    kit = new ChannelKit();
    const heights: number[] = [];
    const unsubscribe = kit.chain.onBlock((block) => heights.push(block.height));
    kit.chain.mine();
    unsubscribe();
    kit.chain.mine();
    expect(heights).toEqual([1]);
  });
});

describe('genesis', () => {
  it('holds the given accounts at nonce 0 in block 0', () => {
    kit = new ChannelKit();
    const stranger = generateKeyPair().publicKey;
    expect(kit.chain.height).toBe(0);
    expect(kit.chain.block(0)?.txHashes).toEqual([]);
    expect(kit.account(kit.initiator)).toEqual({ balance: 10n ** 20n, nonce: 0n });
    expect(kit.chain.account(stranger)).toBeUndefined();
    expect(kit.chain.nextNonce(stranger)).toBe(1n);
  });

  it('refuses an account listed twice or with a negative balance', () => {
    kit = new ChannelKit();
    const publicKey = kit.initiator.publicKey;
    expect(() => new Chain({ networkId: NETWORK_ID, accounts: [{ publicKey, balance: 1n }, { publicKey, balance: 2n }] })).toThrow(/twice/);
    expect(() => new Chain({ networkId: NETWORK_ID, accounts: [{ publicKey, balance: -1n }] })).toThrow(/negative/);
  });
});
