import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { answers, getJson } from '../http.js';
import { logFile, nodeDir, type ClusterPlan, type NodeSpec } from '../plan.js';
import { commandLineOf, isRunning, pidFromFile, recordOf, signal, spawnDetached, terminate, waitForExit, waitUntil, type ProcessRecord } from '../processes.js';
import type { ClusterContext, NodeDriver } from './context.js';
import { patroniConfig, patroniUrl, pgDataDir } from './patroni-config.js';
import { asPostgresUser, ownForPostgres } from './run-as.js';

export const PATRONI = '/usr/bin/patroni';

/** What Patroni's GET /patroni says about its node. */
export interface PatroniState {
  state: string;
  role: string;
  replication?: { application_name: string; state: string; sync_state: string }[];
}

/** Patroni 3.0 still says "master"; we say primary. */
export const roleName = (role: string | undefined) => (role === 'master' ? 'primary' : role ?? 'unknown');

export function patroniState(plan: ClusterPlan, index: number): Promise<PatroniState | undefined> {
  return getJson<PatroniState>(`${patroniUrl(plan, index)}/patroni`);
}

/** One member in Patroni's GET /cluster. */
export interface PatroniMember {
  name: string;
  /** leader (Patroni 3.0 also master), replica, sync_standby; Patroni 4 also quorum_standby. */
  role: string;
  /** running; Patroni 4 says streaming for a replica that streams. */
  state: string;
  lag?: number | string;
}

/** The cluster's members as any Patroni that answers sees them. */
export async function patroniMembers(plan: ClusterPlan): Promise<PatroniMember[] | undefined> {
  for (let i = 0; i < plan.ports.postgres.length; i++) {
    const view = await getJson<{ members: PatroniMember[] }>(`${patroniUrl(plan, i)}/cluster`);
    if (view) return view.members;
  }
  return undefined;
}

/** A PostgreSQL 15 node under Patroni: Patroni starts, promotes, demotes and rewinds it. */
export const patroni: NodeDriver = {
  async start(ctx: ClusterContext, node: NodeSpec) {
    const { plan, secrets } = ctx;
    const dir = nodeDir(plan, node.name);
    const config = join(dir, 'patroni.yml');
    await mkdir(join(dir, 'sock'), { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'log'), { recursive: true, mode: 0o700 });
    await writeFile(config, JSON.stringify(patroniConfig(plan, secrets, node), null, 2), { mode: 0o600 });
    await ownForPostgres(dir, join(dir, 'sock'), join(dir, 'log'), config);
    const log = logFile(plan, node.name);
    // A clean environment: a PGPASSWORD from the caller's shell would override Patroni's pgpass.
    const [command, args] = asPostgresUser(PATRONI, [config]);
    const record = spawnDetached(command, args, { env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: dir }, cwd: dir, logFile: log });
    ctx.processes.set(node.name, record);
    // /health answers 200 once PostgreSQL runs, as primary or as a standby.
    await waitUntil(`${node.name} (PostgreSQL under Patroni) did not start`, () => answers(`${patroniUrl(plan, node.index)}/health`), {
      timeoutMs: 120_000,
      process: record,
      logFile: log,
    });
  },

  async stop(ctx: ClusterContext, node: NodeSpec) {
    // Patroni stops PostgreSQL itself and hands the leader key over when it is the primary.
    await terminate(ctx.processes.get(node.name), 40_000);
    const postmaster = await postmasterOf(ctx.plan, node);
    await terminate(postmaster, 10_000);
  },

  async kill(ctx: ClusterContext, node: NodeSpec) {
    const targets = await this.processes(ctx, node);
    targets.forEach((p) => signal(p, 'SIGKILL'));
    await Promise.all(targets.map((p) => waitForExit(p, 5000)));
  },

  async processes(ctx: ClusterContext, node: NodeSpec) {
    const main = ctx.processes.get(node.name);
    const postmaster = await postmasterOf(ctx.plan, node);
    return [main, postmaster].filter((p): p is ProcessRecord => isRunning(p));
  },
};

export async function postmasterOf(plan: ClusterPlan, node: NodeSpec): Promise<ProcessRecord | undefined> {
  const dataDir = pgDataDir(plan, node);
  const pid = await pidFromFile(join(dataDir, 'postmaster.pid'));
  // After a crash the file is stale, and its PID may belong to someone else by now.
  return pid && commandLineOf(pid).includes(dataDir) ? recordOf(pid) : undefined;
}
