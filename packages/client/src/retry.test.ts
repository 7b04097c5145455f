import { describe, expect, test } from 'vitest';
import { ConflictError, RpcRequestError } from './errors.js';
import { retryDelay, withRetry } from './retry.js';

describe('retry', () => {
  test('full jitter below a doubling cap', () => {
    const policy = { attempts: 5, baseDelayMs: 10, maxDelayMs: 50 };
    expect([0, 1, 2, 3].map((n) => retryDelay(policy, n, () => 0.999))).toEqual([9, 19, 39, 49]);
    expect(retryDelay(policy, 3, () => 0)).toBe(0);
  });

  test('retries races only, a bounded number of times', async () => {
    let calls = 0;
    const race = () => {
      calls++;
      return Promise.reject(new ConflictError(5n, 2, 'conflict'));
    };
    await expect(withRetry({ attempts: 2, baseDelayMs: 1 }, race)).rejects.toBeInstanceOf(ConflictError);
    expect(calls).toBe(3);
    calls = 0;
    await expect(withRetry({ attempts: 2 }, () => (calls++, Promise.reject(new ConflictError(5n, 147, 'user-defined', true))))).rejects.toMatchObject({ code: 147 });
    expect(calls).toBe(1);
    calls = 0;
    await expect(withRetry(undefined, race)).rejects.toBeInstanceOf(ConflictError);
    expect(calls).toBe(1);
  });

  test("the node's outright refusal of a racing proposal (data code 107) is a race too", async () => {
    let calls = 0;
    const refused = new RpcRequestError('channels.update.new', { code: 3, message: 'Rejected', data: [{ code: 107, message: 'Conflict' }] });
    await expect(withRetry({ attempts: 1, baseDelayMs: 1 }, () => (calls++, Promise.reject(refused)))).rejects.toBe(refused);
    expect(calls).toBe(2);
  });

  test('a retried race that then succeeds resolves', async () => {
    let calls = 0;
    const op = () => (++calls < 3 ? Promise.reject(new ConflictError(5n, 2, 'conflict')) : Promise.resolve(7n));
    await expect(withRetry({ attempts: 3, baseDelayMs: 1 }, op)).resolves.toBe(7n);
  });
});
