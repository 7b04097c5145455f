// A file that passes, run beside spin.test.ts: the run goes on after the watchdog kills the other.
import { expect, test } from 'vitest';

test('passes', async () => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(1n + 1n).toBe(2n);
});
