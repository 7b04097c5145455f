/**
 * Test helper: one TypeScript entry bundled into an ES module that Node 20 runs (it runs no
 * TypeScript), with the workspace packages taken from their sources, for tests that need a
 * child process.
 */
import { build } from 'esbuild';

export async function bundleForNode(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    conditions: ['@ch/source'],
    outfile,
    // `ws` is CommonJS and requires Node built-ins, which an ES module can only do through this.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'error',
  });
}
