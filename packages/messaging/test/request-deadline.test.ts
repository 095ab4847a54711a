import { describe, expect, it } from 'vitest';
import { deadlineFromHeaders, REMAINING_MS_HEADER, REPLY_TRANSIT_MS } from '../src/request-deadline.js';

describe('deadlineFromHeaders', () => {
  it('counts the remaining time from arrival, keeping time for the reply to travel back', () => {
    expect(deadlineFromHeaders({ [REMAINING_MS_HEADER]: 5000 }, 1000)).toEqual({ ok: true, deadline: 6000 - REPLY_TRANSIT_MS });
    expect(deadlineFromHeaders({ [REMAINING_MS_HEADER]: '5000' }, 1000)).toEqual({ ok: true, deadline: 6000 - REPLY_TRANSIT_MS });
  });

  it('gives no deadline to a message without the header (the textbook clients)', () => {
    expect(deadlineFromHeaders(undefined)).toEqual({ ok: true, deadline: undefined });
    expect(deadlineFromHeaders({ 'x-request-id': 'r1' })).toEqual({ ok: true, deadline: undefined });
  });

  it('reports a malformed header instead of throwing', () => {
    for (const bad of [-1, 1.5, 'soon', '', '1e3', null, {}, 86_400_001, Number.NaN]) {
      expect(deadlineFromHeaders({ [REMAINING_MS_HEADER]: bad })).toEqual({ ok: false, reason: expect.stringContaining(REMAINING_MS_HEADER) });
    }
  });
});
