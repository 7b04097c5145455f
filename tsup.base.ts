import { defineConfig } from 'tsup';

/** The build every published @ch package shares: ESM + CJS + .d.ts for Node 20. */
export function libraryConfig(entry: string[]) {
  return defineConfig({ entry, format: ['esm', 'cjs'], dts: true, sourcemap: true, clean: true, target: 'node20' });
}
