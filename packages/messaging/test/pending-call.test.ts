import { describe, expect, it } from 'vitest';
import type { Reply } from '@gatehouse/protocol';
import { RpcBadReplyError, RpcTimeoutError } from '../src/errors.js';
import { PendingCall, type CallEnd } from '../src/pending-call.js';

function pending(timeoutMs = 60_000) {
  const outcomes: (Reply | Error)[] = [];
  const ends: CallEnd[] = [];
  const call = new PendingCall('GETHASH', timeoutMs, (r) => outcomes.push(r), (e) => outcomes.push(e));
  call.onEnd((end) => ends.push(end));
  return { call, outcomes, ends };
}

describe('PendingCall', () => {
  it('ends once, with the first of reply, failure or timeout, and releases what it held once', () => {
    const { call, outcomes, ends } = pending();
    call.settle(Buffer.from('{"success":true}'));
    call.settle(Buffer.from('{"success":false}'));
    call.fail(new Error('too late'));
    expect(outcomes).toEqual([{ success: true }]);
    expect(ends).toEqual(['replied']);
    expect(call.ended).toBe(true);
  });

  it('reports a failure as such, so a reply queue is not reused after it', () => {
    const { call, outcomes, ends } = pending();
    call.fail(new Error('nacked'));
    expect(ends).toEqual(['failed']);
    expect((outcomes[0] as Error).message).toBe('nacked');
  });

  it('times out with RpcTimeoutError', async () => {
    const { outcomes, ends } = pending(10);
    await new Promise((r) => setTimeout(r, 50));
    expect(outcomes[0]).toBeInstanceOf(RpcTimeoutError);
    expect(ends).toEqual(['failed']);
  });

  it('rejects a reply that is not a protocol reply', () => {
    const { call, outcomes } = pending();
    call.settle(Buffer.from('[1,2]'));
    expect(outcomes[0]).toBeInstanceOf(RpcBadReplyError);
  });

  it('releases at once what is held for a call that already ended', () => {
    const { call } = pending();
    call.fail(new Error('x'));
    const late: CallEnd[] = [];
    call.onEnd((end) => late.push(end));
    expect(late).toEqual(['failed']);
  });
});
