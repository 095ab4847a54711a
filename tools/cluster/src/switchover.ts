import { request } from './http.js';
import type { ClusterContext } from './nodes/index.js';
import { patroniUrl, pgName } from './nodes/patroni-config.js';
import { patroniMembers, type PatroniMember } from './nodes/patroni.js';
import { waitUntil } from './processes.js';
import { ClusterError } from './cluster.js';

const isLeader = (role: string) => role === 'leader' || role === 'master' || role === 'primary';

/**
 * Why Patroni would refuse a switchover to `candidate`, in words a newcomer can act on, or
 * undefined when it may go ahead. Patroni's own answer ("candidate name does not match with
 * sync_standby") names neither the node that may take over nor what to do.
 */
export function switchoverRefusal(members: PatroniMember[], nodes: string[], candidate: string | undefined): string | undefined {
  const leader = members.find((m) => isLeader(m.role));
  if (!leader) return 'there is no primary to move (is the cluster up? see "status")';
  if (candidate === undefined) return undefined;
  if (!nodes.includes(candidate)) return `there is no node ${candidate}: the PostgreSQL nodes are ${nodes.join(', ')}`;
  if (candidate === leader.name) return `${candidate} is already the primary`;
  const member = members.find((m) => m.name === candidate);
  if (!member || !['running', 'streaming'].includes(member.state)) return `${candidate} is not running as a replica now (see "status"; "start ${candidate}" starts it)`;
  const sync = members.find((m) => m.role === 'sync_standby');
  if (sync && member.role !== 'sync_standby') {
    return [
      `only the synchronous standby, ${sync.name}, can take over now: with synchronous_mode on, Patroni promotes no other replica,`,
      `since only ${sync.name} is sure to hold every acknowledged write. To make ${candidate} eligible, stop ${sync.name}`,
      `("npm run cluster -- stop ${sync.name}"): within a few seconds Patroni makes ${candidate} the synchronous standby`,
      `(see "status"). Then switch over to ${candidate}, and "start ${sync.name}" again.`,
    ].join('\n');
  }
  return undefined;
}

/** A planned move of the primary (to `candidate`, or to the synchronous standby); resolves with the new primary. */
export async function switchover(ctx: ClusterContext, candidate?: string): Promise<string> {
  const members = (await patroniMembers(ctx.plan)) ?? [];
  const refusal = switchoverRefusal(members, ctx.plan.ports.postgres.map((_, i) => pgName(i)), candidate);
  if (refusal) throw new ClusterError(refusal);
  const leader = members.find((m) => isLeader(m.role))!;
  const index = ctx.plan.ports.postgres.findIndex((_, i) => pgName(i) === leader.name);
  const { status, body } = await request(`${patroniUrl(ctx.plan, index)}/switchover`, {
    method: 'POST',
    body: candidate ? { leader: leader.name, candidate } : { leader: leader.name },
    auth: ['patroni', ctx.secrets.patroniRestApi],
    timeoutMs: 60_000,
  });
  if (status !== 200) throw new ClusterError(`Patroni refused the switchover: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
  let now = '';
  await waitUntil(
    'switchover: no new primary',
    async () => {
      const after = (await patroniMembers(ctx.plan))?.find((m) => isLeader(m.role) && m.state === 'running');
      now = after?.name ?? '';
      return now !== '' && now !== leader.name;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  return now;
}
