/** The command line: what it accepts, and the one-line message for what it does not. */
import { Buffer } from 'node:buffer';
import { encode, generateKeyPair } from '@ch/codec';
import { describe, expect, test } from 'vitest';
import { parseDemoArgs } from './args.js';

const key = generateKeyPair();
const hex = Buffer.from(key.secretKey).toString('hex');
const node = ['--node', 'ws://10.0.0.1:3014/channel', '--network-id', 'ae_uat'];

describe('parseDemoArgs', () => {
  test('defaults: the tour on the embedded node', () => {
    expect(parseDemoArgs([], {})).toMatchObject({ scenario: 'tour', node: undefined, json: false, quiet: false, transcript: undefined });
  });

  test('a secret key as 128 hex digits, its 64-digit seed or sk_…, from options or the environment, gives the same account', () => {
    const forms = [hex, hex.slice(0, 64), encode(key.secretKey, 'sk')];
    for (const form of forms) {
      const { node: external } = parseDemoArgs([...node, '--initiator-key', form], { CH_RESPONDER_SECRET: form });
      expect([external?.initiator.publicKey, external?.responder.publicKey]).toEqual([key.publicKey, key.publicKey]);
      expect(external).toMatchObject({ url: 'ws://10.0.0.1:3014/channel', networkId: 'ae_uat', port: 3333 });
    }
  });

  test.each([
    [['--node', 'http://10.0.0.1:3014', '--network-id', 'x'], '--node: expected ws://HOST:PORT/channel, got http://10.0.0.1:3014'],
    [['--node', 'ws://10.0.0.1:3014/channel'], '--node needs --network-id (the network id of that node, e.g. ae_uat)'],
    [[...node, '--initiator-key', 'abc', '--responder-key', hex], "the initiator's key: expected a secret key as 64 or 128 hex digits or sk_…"],
    [[...node, '--initiator-key', hex, '--responder-key', 'sk_1111'], /^the responder's key: /],
    [[...node, '--initiator-key', hex, '--responder-key', hex, '--port', '0'], '--port: expected a port number, got 0'],
    [['--scenario', 'seed'], 'unknown scenario "seed"; --list shows them'],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseDemoArgs(argv, {})).toThrow(message);
  });
});
