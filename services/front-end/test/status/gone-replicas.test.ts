import { describe, expect, it } from 'vitest';
import { GoneReplicas } from '../../src/status/gone-replicas.js';
import type { Tier } from '../../src/status/types.js';

const T0 = Date.UTC(2026, 11, 6, 22, 0);
const tierOf = (name: string, ids: string[]): Tier => ({ name, health: 'ok', replicas: ids.map((id) => ({ id, health: 'ok', detail: '' })) });
const drawn = (tiers: Tier[]) => tiers.map((t) => [t.name, t.health, t.replicas.map((r) => `${r.id}:${r.health}`)]);

describe('replicas that went away', () => {
  it('keeps a database node that dropped out of the readings, marked gone, until it is back or ten minutes pass', () => {
    const gone = new GoneReplicas();
    gone.withGone([tierOf('Database', ['pg1', 'pg2', 'pg3'])], T0);
    expect(drawn(gone.withGone([tierOf('Database', ['pg2', 'pg3'])], T0 + 15_000))).toEqual([['Database', 'degraded', ['pg2:ok', 'pg3:ok', 'pg1:gone']]]);
    expect(gone.withGone([tierOf('Database', ['pg2', 'pg3'])], T0 + 60_000)[0]!.replicas[2]).toMatchObject({ facts: ['last seen 22:00:00 UTC'] });
    expect(drawn(gone.withGone([tierOf('Database', ['pg1', 'pg2', 'pg3'])], T0 + 90_000))).toEqual([['Database', 'ok', ['pg1:ok', 'pg2:ok', 'pg3:ok']]]);
    gone.withGone([tierOf('Database', ['pg2', 'pg3'])], T0 + 100_000);
    expect(drawn(gone.withGone([tierOf('Database', ['pg2', 'pg3'])], T0 + 12 * 60_000))[0]![2]).toEqual(['pg2:ok', 'pg3:ok']);
  });

  it('keeps a Back End that stopped, but not the old addresses of Back Ends that reconnected', () => {
    const gone = new GoneReplicas();
    gone.withGone([tierOf('Back End', ['a:1', 'b:1', 'c:1'])], T0);
    expect(drawn(gone.withGone([tierOf('Back End', ['a:2', 'b:2', 'c:2'])], T0 + 5000))[0]![2]).toEqual(['a:2:ok', 'b:2:ok', 'c:2:ok']);
    expect(drawn(gone.withGone([tierOf('Back End', ['a:2', 'c:2'])], T0 + 10_000))[0]![2]).toEqual(['a:2:ok', 'c:2:ok', 'b:2:gone']);
  });

  it('adds nothing to a tier nobody could read: that is unknown, not gone', () => {
    const gone = new GoneReplicas();
    gone.withGone([tierOf('Database', ['pg1'])], T0);
    expect(gone.withGone([tierOf('Database', [])], T0 + 1000)[0]!.replicas).toEqual([]);
  });
});
