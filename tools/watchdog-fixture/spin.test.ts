// Spins on promises that settle at once, as the polling loops of issue 11 did: no timer ever fires
// again in this process, so only the watchdog can end it. Run by tools/watchdog.test.ts only.
import { test } from 'vitest';

test('spins forever without yielding to timers', async () => {
  for (;;) await Promise.resolve();
});
