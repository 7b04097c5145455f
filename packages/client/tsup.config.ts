import type { Options } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

export default [
  // Node's build also writes every .d.ts, the browser entry's included (its types do not depend on
  // the platform), so the two builds' cleans cannot race; its clean spares the browser bundle.
  {
    ...(libraryConfig(['src/index.ts']) as Options),
    dts: { entry: { index: 'src/index.ts', browser: 'src/portable.ts' } },
    clean: ['!browser.js', '!browser.js.map'],
  },
  // The browser's: ES module only, `#platform` resolved with the `browser` condition.
  { entry: { browser: 'src/portable.ts' }, format: ['esm'], platform: 'browser', target: 'es2022', sourcemap: true, dts: false, clean: false },
] satisfies Options[];
