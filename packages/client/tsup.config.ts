import { rmSync } from 'node:fs';
import type { Options } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

// The two builds below write to dist/ at once, and either one's clean would race the other's
// output (a build's .d.ts clean takes every declaration file): so dist/ is cleaned once, here.
rmSync('dist', { recursive: true, force: true });

export default [
  { ...(libraryConfig(['src/index.ts']) as Options), clean: false },
  // The browser's, `#platform` resolved with the `browser` condition: an ES module, and CommonJS for
  // loaders that add `browser` to `require` (Jest with jsdom), each with its own types.
  { entry: { browser: 'src/portable.ts' }, format: ['esm', 'cjs'], platform: 'browser', target: 'es2022', dts: true, sourcemap: true, clean: false },
] satisfies Options[];
