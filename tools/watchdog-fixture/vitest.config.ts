/** The repository's vitest config with only this directory's files: tools/watchdog.test.ts runs it. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import repository from '../../vitest.config.js';

export default defineConfig({
  ...repository,
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    ...repository.test,
    include: ['tools/watchdog-fixture/*.test.ts'],
    typecheck: { enabled: false },
    reporters: ['default'],
  },
});
