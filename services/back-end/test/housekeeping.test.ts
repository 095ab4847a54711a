import { describe, expect, it } from 'vitest';
import { retentionPolicy } from '../src/housekeeping.js';

describe('retentionPolicy', () => {
  it('keeps the audit trail 90 days unless told otherwise', () => {
    expect(retentionPolicy(undefined, { maxDelayMs: 60_000 }).auditDays).toBe(90);
    expect(retentionPolicy(7, { maxDelayMs: 60_000 }).auditDays).toBe(7);
  });

  it('never prunes a failure counter before the policy would have forgiven it', () => {
    expect(retentionPolicy(90, { maxDelayMs: 15 * 60_000 }).loginFailureWindowMs).toBe(15 * 60_000);
    expect(retentionPolicy(90, { maxDelayMs: 15 * 60_000, resetAfterMs: 12 * 3_600_000 }).loginFailureWindowMs).toBe(12 * 3_600_000);
  });
});
