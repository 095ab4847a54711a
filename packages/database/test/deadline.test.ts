import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { isConnectionFailure } from '../src/connection-failures.js';
import { QueryTimeoutError, withDeadline } from '../src/deadline.js';

describe('withDeadline', () => {
  it('settles like the work when it finishes in time', async () => {
    expect(await withDeadline(Promise.resolve(7), 1000, 'db:5432')).toBe(7);
    await expect(withDeadline(Promise.reject(new Error('boom')), 1000, 'db:5432')).rejects.toThrow('boom');
  });

  it('gives up on work that never answers, and a late failure of that work goes unnoticed', async () => {
    let failLater!: (err: Error) => void;
    const hung = new Promise<never>((_, reject) => (failLater = reject));
    const failure = await withDeadline(hung, 20, 'db:5432').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(QueryTimeoutError);
    expect((failure as Error).message).toBe('Database query timed out: no answer from db:5432 within 20 ms');
    failLater(new Error('CONNECTION_DESTROYED')); // vitest fails the run on an unhandled rejection
    await sleep(10);
  });
});

describe('isConnectionFailure', () => {
  it('matches lost connections and our deadline, never data errors', () => {
    const codes = ['QUERY_TIMEOUT', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', '57P01', '08006', '25006'];
    expect(codes.filter((code) => isConnectionFailure({ code }))).toEqual(codes);
    expect(['23505', '22001', '57014', '42P01', undefined].some((code) => isConnectionFailure({ code }))).toBe(false);
    expect(isConnectionFailure(undefined)).toBe(false);
  });
});
