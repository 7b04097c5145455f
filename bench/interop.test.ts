/**
 * A client written for the real aeternity node works against @ch/node unchanged: aepp-sdk-js's
 * Channel (14.1.1, here because it is the bench's peer) opens a channel, transfers both ways and
 * reads balances, against the node's default profile (`current`: aepp-sdk-js 14 builds Iris+
 * transactions only). It signs the Lima+ hashed form, which the node accepts as the real one does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as sdkModule from '@aeternity/aepp-sdk';
import { generateKeyPair } from '@ch/codec';
import { startNode, type RunningNode } from '@ch/node';

const sdk = ((sdkModule as { default?: typeof sdkModule }).default ?? sdkModule) as typeof sdkModule;
const NETWORK_ID = 'ae_interop_test';

describe('aepp-sdk-js Channel against @ch/node', () => {
  let node: RunningNode | undefined;
  afterEach(async () => node?.stop());

  it('opens, transfers both ways and agrees on balances', async () => {
    const [a, b] = [generateKeyPair(), generateKeyPair()];
    node = await startNode({ port: 0, networkId: NETWORK_ID, accounts: [a, b].map((k) => ({ publicKey: k.publicKey, balance: 10n ** 20n })) });
    const account = (secret: Uint8Array) => new sdk.MemoryAccount(sdk.encode(secret.slice(0, 32), sdk.Encoding.AccountSecretKey));
    const [accountA, accountB] = [account(a.secretKey), account(b.secretKey)];
    const common = {
      url: node.url,
      initiatorId: a.publicKey,
      responderId: b.publicKey,
      pushAmount: 0,
      initiatorAmount: 1e15, // aepp-sdk-js types amounts as number | BigNumber
      responderAmount: 1e15,
      channelReserve: 1,
      lockPeriod: 10,
      host: 'localhost',
      port: 3001,
      minimumDepth: 0,
    };
    const [ci, cr] = await Promise.all([
      sdk.Channel.initialize({ ...common, role: 'initiator', sign: (_tag, tx) => accountA.signTransaction(tx, { networkId: NETWORK_ID }) }),
      sdk.Channel.initialize({ ...common, role: 'responder', sign: (_tag, tx) => accountB.signTransaction(tx, { networkId: NETWORK_ID }) }),
    ]);
    const errors: unknown[] = [];
    for (const c of [ci, cr]) c.on('error', (e) => errors.push(e));
    await expect.poll(() => [ci.status(), cr.status()], { timeout: 10_000 }).toEqual(['open', 'open']);

    const sign = (acc: typeof accountA) => (tx: `tx_${string}`) => acc.signTransaction(tx, { networkId: NETWORK_ID });
    for (let i = 0; i < 3; i++) {
      expect((await ci.update(a.publicKey, b.publicKey, 10, sign(accountA))).accepted).toBe(true);
      expect((await cr.update(b.publicKey, a.publicKey, 3, sign(accountB))).accepted).toBe(true);
    }
    expect(ci.round()).toBe(7);
    const balances = await ci.balances([a.publicKey, b.publicKey]);
    expect(BigInt(balances[a.publicKey]!)).toBe(10n ** 15n - 21n);
    expect(BigInt(balances[b.publicKey]!)).toBe(10n ** 15n + 21n);
    expect(errors).toEqual([]);
    ci.disconnect();
    cr.disconnect();
  });
});
