/** Queries, messages and the requests the local node refuses, against the local node. */
import { afterEach, describe, expect, test } from 'vitest';
import type { ChannelMessage } from './channel-events.js';
import { RpcRequestError } from './errors.js';
import { openPair, type Pair } from './test-support/pair.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

describe('queries and messages', () => {
  test('balances, off-chain state, proof of inclusion, ping', async () => {
    pair = await openPair('seed');
    const { initiator: I, i, r } = pair;
    await I.transfer(i.publicKey, r.publicKey, 11n);
    expect(await I.balances([r.publicKey])).toEqual(new Map([[r.publicKey, 40000000000012n]]));
    const state = await I.offchainState();
    expect(state.signed_tx).toBe(I.state?.tx);
    expect((await I.poi()).startsWith('pi_')).toBe(true);
    await expect(I.ping()).resolves.toBeUndefined();
  });

  test("stop ends the node's channel process: it reports died, and the client is disconnected", async () => {
    pair = await openPair('current');
    const { initiator: I } = pair;
    const died = new Promise((resolve) => I.on('info', (info) => info.event === 'died' && resolve(info)));
    await I.stop();
    await died;
    expect(I.status).toBe('disconnected');
  });

  test('messages reach the other side as events', async () => {
    pair = await openPair('seed');
    const { initiator: I, responder: R, i, r } = pair;
    const got = new Promise<ChannelMessage>((resolve) => R.once('message', resolve));
    await I.sendMessage(r.publicKey, 'Hello');
    expect(await got).toEqual({ from: i.publicKey, to: r.publicKey, info: 'Hello' });
  });

  test("the node's refusals come back typed, with their data codes", async () => {
    pair = await openPair('current');
    const { initiator: I, i, r } = pair;
    const broke = await I.transfer(i.publicKey, r.publicKey, 10n ** 15n).catch((e: unknown) => e);
    expect(broke).toBeInstanceOf(RpcRequestError);
    expect((broke as RpcRequestError).hasDataCode(1001)).toBe(true);
    const contract = await I.createContract({ vm_version: 7, abi_version: 3, deposit: 1n, code: 'cb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABzTVpb', call_data: 'cb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABzTVpb' }).catch((e: unknown) => e);
    expect(contract).toMatchObject({ code: -32601 });
    // Refusals settle nothing else: the channel goes on.
    expect(await I.transfer(i.publicKey, r.publicKey, 1n)).toBe(2n);
  });
});
