import type { Options } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

export default [
  // Its clean spares the bin, which the other build writes at the same time.
  { ...(libraryConfig(['src/index.ts']) as Options), clean: ['!cli.js', '!cli.js.map'] },
  // The bin: an ES module only (nothing requires it), no types, and the library imported by the
  // package's own name rather than bundled a second time.
  { entry: ['src/cli.ts'], format: ['esm'], sourcemap: true, clean: false, target: 'node20', external: ['@ch/node'] },
] satisfies Options[];
