import * as client from '@ch/client';
import * as codec from '@ch/codec';
import * as node from '@ch/node';
import * as rpc from '@ch/rpc';
import scenario from './scenario.cjs';

// Resolved through the `import` condition: the ESM builds.
for (const name of ['@ch/client', '@ch/codec', '@ch/node', '@ch/rpc']) {
  if (!import.meta.resolve(name).endsWith('/dist/index.js')) throw new Error(`${name} resolved to ${import.meta.resolve(name)}`);
}
await scenario({ client, codec, node, rpc }, 'esm');
