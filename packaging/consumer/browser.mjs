// Bundled by the packaging test with esbuild for the browser, no externals, then evaluated where
// there is no process, Buffer or require.
import { Channel, generateKeyPair, MemoryStore } from '@ch/client';
import { unpackTx } from '@ch/codec';
import { parseJson } from '@ch/rpc';

const key = generateKeyPair();
globalThis.packagingResult = {
  publicKey: key.publicKey,
  channel: typeof Channel.connect,
  store: typeof new MemoryStore().save,
  unpack: typeof unpackTx,
  parsed: String(parseJson('{"n":123456789012345678901234567890}').n),
};
