import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Resolve workspace packages to their TypeScript sources, so tests never need a prior build.
  ssr: { resolve: { conditions: ['@ch/source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'bench/*.test.ts', 'packaging/*.test.ts', 'tools/*.test.ts'],
    typecheck: { enabled: true, include: ['packages/*/src/**/*.test-d.ts'] },
    // Each test file in a process of its own, which the watchdog may kill when its event loop is
    // stuck: vitest's timeouts below are timers, and a stuck loop never lets a timer fire.
    pool: 'forks',
    setupFiles: ['tools/watchdog.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
    // tools/scenario-count.ts prints `N scenarios × 2 counterparts passed` for the both-node scenarios.
    reporters: process.env.CI ? ['default', 'json', './tools/scenario-count.ts'] : ['default', './tools/scenario-count.ts'],
    outputFile: { json: '.vitest/results.json' },
  },
});
