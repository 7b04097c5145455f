const scenario = require('./scenario.cjs');

// Resolved through the `require` condition: the CommonJS builds.
for (const name of ['@ch/client', '@ch/codec', '@ch/node', '@ch/rpc']) {
  if (!require.resolve(name).endsWith('/dist/index.cjs')) throw new Error(`${name} resolved to ${require.resolve(name)}`);
}
scenario({ client: require('@ch/client'), codec: require('@ch/codec'), node: require('@ch/node'), rpc: require('@ch/rpc') }, 'cjs').catch((e) => {
  console.error(e);
  process.exit(1);
});
