/**
 * @ch/codec must work where there is no Node: bundle it for the browser and run it in a bare VM
 * context (no `process`, no `Buffer`), so the portable paths (noble ed25519, @scure/base base64,
 * our SHA-256) are the ones exercised, and compare their results with the Node paths.
 */
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as codec from './index.js';

async function browserCodec(): Promise<typeof codec> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'chCodec',
    write: false,
    logLevel: 'silent',
  });
  const context: Record<string, unknown> = { TextEncoder, TextDecoder, crypto: globalThis.crypto };
  runInNewContext(result.outputFiles[0]!.text, context);
  return context.chCodec as typeof codec;
}

describe('browser build', () => {
  it('bundles without Node built-ins and gives the same bytes as the Node paths', async () => {
    const browser = await browserCodec();
    const tx =
      'tx_+JALAfhCuEAHhFxkddW3oNkI5rMaEtI/RX/uS4FsU19FF37uxQpFlijWqmKKjcXNoBuSr4m+YZ+t4eodYuEO3wLt0k54QjQMuEj4RjkCoQYY3LBfu3dh9lxDQTFixVsZMWp7ufY8svJ1rYd9v86ViAagjzrFAgbG1168Sla7F83mqiYSM4EXSFASPfCvpxz+0ZfVolHc' as const;
    const initiator = 'ak_p5mwxAHVY4fqWNqYDvGLfTAWGGra3B4zuNQayyHZZwS9bKrRx' as const;

    expect(browser.nativeEd25519).toBeUndefined();
    expect(browser.defaultEd25519.name).toBe(codec.nobleEd25519.name);
    expect(browser.buildTx(browser.unpackTx(tx))).toBe(tx);
    expect(browser.verifyTx(tx, 'local_lima_testnet', [initiator]).signers).toEqual([initiator]);

    const secret = Uint8Array.from({ length: 32 }, (_, i) => i);
    const inner = codec.buildTx(codec.unpackTx(tx, codec.Tag.SignedTx).encodedTx);
    expect(browser.signTx(inner, secret, 'local_lima_testnet')).toBe(codec.signTx(inner, secret, 'local_lima_testnet'));
    expect(browser.encode(codec.decode(initiator, 'ak'), 'ak')).toBe(initiator);
  });
});
