import { getJson, request } from './http.js';
import type { ClusterContext } from './nodes/index.js';
import { patroniUrl, pgName } from './nodes/patroni-config.js';
import { waitUntil } from './processes.js';
import { ClusterError } from './cluster.js';

interface PatroniCluster {
  members: { name: string; role: string; state: string }[];
}

const isLeader = (role: string) => role === 'leader' || role === 'master' || role === 'primary';

async function clusterView(ctx: ClusterContext): Promise<PatroniCluster | undefined> {
  for (let i = 0; i < ctx.plan.ports.postgres.length; i++) {
    const view = await getJson<PatroniCluster>(`${patroniUrl(ctx.plan, i)}/cluster`);
    if (view) return view;
  }
  return undefined;
}

/** A planned move of the primary (to `candidate`, or to the synchronous standby); resolves with the new primary. */
export async function switchover(ctx: ClusterContext, candidate?: string): Promise<string> {
  const view = await clusterView(ctx);
  const leader = view?.members.find((m) => isLeader(m.role));
  if (!leader) throw new ClusterError('there is no primary to move (is the cluster up? see "status")');
  if (candidate === leader.name) throw new ClusterError(`${candidate} is already the primary`);
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
      const after = (await clusterView(ctx))?.members.find((m) => isLeader(m.role) && m.state === 'running');
      now = after?.name ?? '';
      return now !== '' && now !== leader.name;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  return now;
}
