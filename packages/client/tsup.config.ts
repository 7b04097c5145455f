import { rmSync } from 'node:fs';
import type { Options } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

// The two builds below write to dist/ at once, and either one's clean would race the other's
// output (a build's .d.ts clean takes every declaration file): so dist/ is cleaned once, here.
rmSync('dist', { recursive: true, force: true });

export default [
  { ...(libraryConfig(['src/index.ts']) as Options), clean: false },
  // The browser's: an ES module with its own types, `#platform` resolved with the `browser` condition.
  { entry: { browser: 'src/portable.ts' }, format: ['esm'], platform: 'browser', target: 'es2022', dts: true, sourcemap: true, clean: false },
] satisfies Options[];
