import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCKOUT, lockDelayMs } from '../src/login-failures.js';
import { arrayLiteral, lockLadderSeconds } from '../src/login-attempts.js';

describe('lockDelayMs', () => {
  it('does not lock before the fifth failure in a row', () => {
    expect([1, 2, 3, 4].map((n) => lockDelayMs(n, DEFAULT_LOCKOUT))).toEqual([0, 0, 0, 0]);
  });

  it('locks for a minute at the fifth failure, doubling each time up to 15 minutes', () => {
    const minutes = [5, 6, 7, 8, 9, 10, 50, 10_000].map((n) => lockDelayMs(n, DEFAULT_LOCKOUT) / 60_000);
    expect(minutes).toEqual([1, 2, 4, 8, 15, 15, 15, 15]);
  });
});

describe('lockLadderSeconds (the locks attempt_login picks from)', () => {
  it('lists the lock after each failure from the threshold on, until it stops growing', () => {
    expect(lockLadderSeconds(DEFAULT_LOCKOUT)).toEqual([60, 120, 240, 480, 900]);
    expect(lockLadderSeconds({ ...DEFAULT_LOCKOUT, threshold: 3, baseDelayMs: 10_000, maxDelayMs: 25_000 })).toEqual([10, 20, 25]);
  });

  it('ends after 30 doublings when the maximum is never reached, as lockDelayMs does', () => {
    expect(lockLadderSeconds({ ...DEFAULT_LOCKOUT, baseDelayMs: 1000, maxDelayMs: Number.MAX_SAFE_INTEGER })).toHaveLength(31);
  });
});

describe('arrayLiteral (how the ladder reaches attempt_login without array types)', () => {
  it('writes numbers as a PostgreSQL array literal, and refuses anything that is not a finite number', () => {
    expect(arrayLiteral([60, 120, 0.5])).toBe('{60,120,0.5}');
    expect(arrayLiteral([])).toBe('{}');
    expect(() => arrayLiteral([Number.NaN])).toThrow(/finite/);
    expect(() => arrayLiteral([Number.POSITIVE_INFINITY])).toThrow(/finite/);
  });
});
