/**
 * The dev node's promise, as a user meets it: start `ch-node`, paste two of the accounts it prints
 * (URL, network id, secret keys) into @ch/client, and a channel opens between them. Its options
 * and output are packages/node/src/cli.test.ts.
 */
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '@ch/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { useChNode } from '../../../tools/ch-node-process.js';
import { Channel, MemoryStore, keyPairFromSecret, secretKeySigner, type KeyPair } from './index.js';

const chNode = useChNode('ch-dev-node-');
const start = (args: readonly string[]) => chNode.start(args);
// After hooks run last-registered first: channels are disconnected before their node is killed.
const channels: Channel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) c.disconnect();
});

/** Opens a channel between `i` and `r` on the node at `url`, transfers 10 and checks both sides agree. */
async function openAndTransfer(url: string, networkId: string, i: KeyPair, r: KeyPair, amount: bigint, port: number): Promise<void> {
  const terms = { url, networkId, initiatorId: i.publicKey, responderId: r.publicKey, initiatorAmount: amount, responderAmount: amount, channelReserve: 1n, lockPeriod: 10n, port };
  const [a, b] = [i, r].map((k, n) => {
    const channel = Channel.connect({ ...terms, role: n === 0 ? 'initiator' : 'responder', signer: secretKeySigner(k.secretKey), store: new MemoryStore(), timeouts: { open: 20_000 } });
    channels.push(channel);
    return channel;
  }) as [Channel, Channel];
  await Promise.all([a.opened, b.opened]);
  expect(await a.transfer(i.publicKey, r.publicKey, 10n)).toBe(2n);
  expect(await b.balances()).toEqual(new Map([[i.publicKey, amount - 10n], [r.publicKey, amount + 10n]]));
}

describe('ch-node and @ch/client', () => {
  it('a channel opens between two printed accounts, with the printed URL, network id and secret keys', async () => {
    const child = start(['--port', '0']);
    await child.line((l) => l.startsWith('Listening.'));
    const url = /^WebSocket URL +(\S+)$/m.exec(child.stdout)![1]!;
    const networkId = /^Network id +(\S+)$/m.exec(child.stdout)![1]!;
    const secret = (index: number): KeyPair => keyPairFromSecret(Buffer.from(new RegExp(`^\\(${index}\\) ak_\\w+\\n {4}secret key ([0-9a-f]+)$`, 'm').exec(child.stdout)![1]!, 'hex'));
    const [alice, bob] = [secret(0), secret(1)];
    expect(child.stdout).toContain(`(0) ${alice.publicKey}\n`);
    // Each side locks 4·10^23: the default balance is generous.
    await openAndTransfer(url, networkId, alice, bob, 4n * 10n ** 23n, 4101);
    child.signal('SIGINT');
    expect(await child.exit()).toEqual({ code: 0, signal: null });
  });

  it('--fund funds the accounts it lists, inline and from a file', async () => {
    const [listed, filed] = [generateKeyPair(), generateKeyPair()];
    const file = join(chNode.dir, 'accounts.json');
    writeFileSync(file, JSON.stringify([{ publicKey: filed.publicKey, balance: String(10n ** 20n) }]));
    const child = start(['-p', '0', '--accounts', '0', '--network-id', 'my_devnet', '--fund', `${listed.publicKey}:${10n ** 20n}`, '--fund', file, '--json']);
    const { url, funded } = JSON.parse(await child.line((l) => l.startsWith('{'))) as { url: string; funded: { publicKey: string }[] };
    expect(funded.map((a) => a.publicKey)).toEqual([listed.publicKey, filed.publicKey]);
    await openAndTransfer(url, 'my_devnet', filed, listed, 10n ** 18n, 4102);
  });
});
