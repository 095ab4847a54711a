import { describe, expect, it } from 'vitest';
import type { Sql } from 'postgres';
import { ConnectionSlots } from '../src/connection-slots.js';
import { DeadlineExceededError } from '../src/request-deadline.js';

/** Stand-ins for postgres.js instances: numbered, and they remember being ended. */
function fakeServer() {
  const ended: number[] = [];
  let opened = 0;
  const open = () => {
    const id = ++opened;
    return { id, end: async () => void ended.push(id) } as unknown as Sql;
  };
  return { open, ended, idOf: (sql: Sql) => (sql as unknown as { id: number }).id };
}

describe('ConnectionSlots', () => {
  it('opens connections up to max, then queues callers in order', async () => {
    const { open, idOf } = fakeServer();
    const slots = new ConnectionSlots(open, 1, 5000);
    const first = await slots.acquire(undefined);
    const second = slots.acquire(undefined);
    const third = slots.acquire(undefined);
    slots.release(first);
    expect(idOf((await second).sql)).toBe(1);
    slots.release(await second);
    expect(idOf((await third).sql)).toBe(1);
  });

  it('gives up waiting at the caller’s deadline, and the connection goes to the next in line', async () => {
    const { open } = fakeServer();
    const slots = new ConnectionSlots(open, 1, 5000);
    const held = await slots.acquire(undefined);
    const late = slots.acquire(performance.now() + 20);
    const patient = slots.acquire(undefined);
    await expect(late).rejects.toBeInstanceOf(DeadlineExceededError);
    slots.release(held);
    expect(await patient).toBe(held);
    await expect(slots.acquire(performance.now() - 1)).rejects.toBeInstanceOf(DeadlineExceededError);
  });

  it('after a server failure, replaces idle connections at once and busy ones only when next used, once', async () => {
    const { open, ended, idOf } = fakeServer();
    const slots = new ConnectionSlots(open, 3, 5000);
    const [a, b, c] = [await slots.acquire(undefined), await slots.acquire(undefined), await slots.acquire(undefined)];
    slots.release(c); // idle, on connection 3
    slots.invalidate(a); // a's connection (1) was reset: the server failed
    slots.replace(a);
    expect(ended.sort()).toEqual([1, 3]); // b's connection (2) is busy: its query finishes on it
    slots.invalidate(b); // the same outage seen again: nothing more goes
    expect(ended.sort()).toEqual([1, 3]);
    slots.release(b); // b's query ended well, but its connection is from before the failure
    const next = await slots.acquire(undefined);
    expect(next).toBe(b);
    expect(ended.sort()).toEqual([1, 2, 3]);
    expect(idOf(next.sql)).toBeGreaterThan(3);
  });
});
