// @ch/codec against aepp-sdk-js 14.1.1 on the same inputs, in the same run (see bench/run.mjs).
// Inputs come from the vendored transcripts: a co-signed channel_offchain_tx and its signers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { TX_VECTORS } from '../../../tools/fixtures.mjs';

// Resolve the peer from the bench workspace package, the only place that depends on it.
const requireFromBench = createRequire(fileURLToPath(new URL('../../../bench/package.json', import.meta.url)));
const loadSdk = async () => {
  const sdk = await import(requireFromBench.resolve('@aeternity/aepp-sdk'));
  return sdk.default ?? sdk;
};
const loadCodec = () => import('@ch/codec');

function coSignedOffChainTx() {
  const { vectors } = JSON.parse(readFileSync(TX_VECTORS, 'utf8'));
  const v = vectors.find((x) => x.shape === '11[2 sig]>57v2');
  const signers = v.decoded.signers;
  return { tx: v.tx, networkId: signers[0].network_id, accounts: signers.map((s) => s.account) };
}

const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const PEER = 'aepp-sdk-js 14.1.1';

export const cases = {
  'unpackTx+verifyTx (co-signed channel_offchain_tx)': {
    peerName: PEER,
    target: 'ratio >= 5',
    async ours() {
      const { unpackTx, verifyTx } = await loadCodec();
      const { tx, networkId, accounts } = coSignedOffChainTx();
      return () => {
        unpackTx(tx);
        if (verifyTx(tx, networkId, accounts).signers.length !== 2) throw new Error('verify failed');
      };
    },
    async peer() {
      const sdk = await loadSdk();
      const { tx, networkId, accounts } = coSignedOffChainTx();
      const prefix = new TextEncoder().encode(networkId);
      return () => {
        const signed = sdk.unpackTx(tx);
        const bytes = sdk.decode(sdk.buildTx(signed.encodedTx));
        const message = new Uint8Array(prefix.length + bytes.length);
        message.set(prefix);
        message.set(bytes, prefix.length);
        let ok = 0;
        for (const sig of signed.signatures) if (accounts.some((a) => sdk.verify(message, sig, a))) ok++;
        if (ok !== 2) throw new Error('verify failed');
      };
    },
  },
  'unpackTx (co-signed channel_offchain_tx)': {
    peerName: PEER,
    target: '>= 180k/s, ratio >= 5',
    async ours() {
      const { unpackTx } = await loadCodec();
      const { tx } = coSignedOffChainTx();
      return () => unpackTx(tx);
    },
    async peer() {
      const sdk = await loadSdk();
      const { tx } = coSignedOffChainTx();
      return () => sdk.unpackTx(tx);
    },
  },
  'buildTx (co-signed channel_offchain_tx)': {
    peerName: PEER,
    target: '>= 50k/s, ratio >= 5',
    async ours() {
      const { unpackTx, buildTx } = await loadCodec();
      const object = unpackTx(coSignedOffChainTx().tx);
      return () => buildTx(object);
    },
    async peer() {
      const sdk = await loadSdk();
      const object = sdk.unpackTx(coSignedOffChainTx().tx);
      return () => sdk.buildTx(object);
    },
  },
  'signTx (channel_offchain_tx)': {
    peerName: PEER,
    async ours() {
      const { signTx, unpackTx, buildTx } = await loadCodec();
      const { tx, networkId } = coSignedOffChainTx();
      const inner = buildTx(unpackTx(tx).encodedTx);
      return () => signTx(inner, SECRET, networkId);
    },
    async peer() {
      const sdk = await loadSdk();
      const { tx, networkId } = coSignedOffChainTx();
      const inner = sdk.buildTx(sdk.unpackTx(tx).encodedTx);
      const account = new sdk.MemoryAccount(sdk.encode(SECRET, sdk.Encoding.AccountSecretKey));
      return () => account.signTransaction(inner, { networkId });
    },
  },
  'state hash, 2-account channel': {
    // aepp-sdk-js has no off-chain state builder, so this row has no peer: it is the figure an
    // update's check costs on top of signature verification.
    async ours() {
      const { initialState, applyUpdates } = await loadCodec();
      const initiator = 'ak_p5mwxAHVY4fqWNqYDvGLfTAWGGra3B4zuNQayyHZZwS9bKrRx';
      const responder = 'ak_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn';
      const base = initialState({ initiator, responder, initiatorAmount: 70000000000000n, responderAmount: 40000000000000n, pushAmount: 1n });
      // Every amount is new, so each call builds and hashes the trie from scratch (no cache hits).
      let amount = 0n;
      return () => {
        amount += 1n;
        applyUpdates(base, [{ op: 'OffChainTransfer', from: initiator, to: responder, amount }], 2n).stateHash();
      };
    },
  },
};
