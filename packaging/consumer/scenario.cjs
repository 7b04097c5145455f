// What a consumer of the installed tarballs does, run once through `import` (esm.mjs) and once
// through `require` (cjs.cjs): a local node, a channel between two fresh accounts, a transfer and
// a mutual close. It prints what happened as JSON for the packaging test to check.
module.exports = async function scenario({ client, node, codec, rpc }, format) {
  const networkId = 'ae_packaging';
  const [alice, bob] = [client.generateKeyPair(), client.generateKeyPair()];
  const local = await node.startNode({ networkId, accounts: [alice, bob].map((k) => ({ publicKey: k.publicKey, balance: 10n ** 21n })) });
  try {
    const terms = {
      url: local.url,
      networkId,
      initiatorId: alice.publicKey,
      responderId: bob.publicKey,
      initiatorAmount: 7n * 10n ** 18n,
      responderAmount: 4n * 10n ** 18n,
      channelReserve: 1n,
      lockPeriod: 10n,
      port: 4000,
      store: new client.MemoryStore(),
    };
    const [a, b] = await Promise.all([
      client.Channel.open({ ...terms, role: 'initiator', signer: client.secretKeySigner(alice.secretKey) }),
      client.Channel.open({ ...terms, role: 'responder', signer: client.secretKeySigner(bob.secretKey), store: new client.MemoryStore() }),
    ]);
    const round = await a.transfer(alice.publicKey, bob.publicKey, 10n);
    const balance = b.balanceOf(bob.publicKey);
    const closeTx = await a.shutdown();
    const signed = codec.unpackTx(closeTx);
    const closed = signed.tag === codec.Tag.SignedTx ? signed.encodedTx : signed;
    a.disconnect();
    b.disconnect();
    process.stdout.write(
      JSON.stringify({ format, round: String(round), balance: String(balance), closeTx: codec.tagName(closed.tag), channelId: a.channelId, roundTrip: rpc.stringifyJson(rpc.parseJson('{"n":123456789012345678901234567890}')) }) + '\n',
    );
  } finally {
    await local.stop();
  }
};
