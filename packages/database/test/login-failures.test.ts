import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCKOUT, lockDelayMs } from '../src/login-failures.js';

describe('lockDelayMs', () => {
  it('does not lock before the fifth failure in a row', () => {
    expect([1, 2, 3, 4].map((n) => lockDelayMs(n, DEFAULT_LOCKOUT))).toEqual([0, 0, 0, 0]);
  });

  it('locks for a minute at the fifth failure, doubling each time up to 15 minutes', () => {
    const minutes = [5, 6, 7, 8, 9, 10, 50, 10_000].map((n) => lockDelayMs(n, DEFAULT_LOCKOUT) / 60_000);
    expect(minutes).toEqual([1, 2, 4, 8, 15, 15, 15, 15]);
  });
});
