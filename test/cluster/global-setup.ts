import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { Cluster } from '@gatehouse/cluster';

/**
 * Limits off and a cheap hash, so a steady load fits on two cores beside sixteen servers;
 * the point here is what survives a failure, not throughput.
 */
export const LOAD_SETTINGS = {
  RATE_LIMIT_PER_MINUTE: '100000',
  LOCKOUT_THRESHOLD: '1000',
  ARGON2_MEMORY_KIB: '7168',
  ARGON2_TIME_COST: '1',
  LOG_LEVEL: 'warn',
  SHUTDOWN_DRAIN_MS: '1000',
  // A Mailer killed mid-send blocks its mail this long; the suite waits for every mail.
  MAIL_LEASE_SECONDS: '10',
};

/**
 * One local cluster for every chaos file, in a temporary folder; stopped and removed at the end.
 * GATEHOUSE_CLUSTER_DIR names a cluster to use (and start if needed) instead, left running:
 * for working on these tests without waiting for a new cluster each time.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reuse = process.env.GATEHOUSE_CLUSTER_DIR;
  const root = reuse ? undefined : await mkdtemp(join(tmpdir(), 'gatehouse-cluster-'));
  if (root) await chmod(root, 0o755); // PostgreSQL runs as "postgres" when we are root
  const started = Date.now();
  const log = (line: string) => console.log(`[cluster] ${line}`);
  const cluster = await Cluster.openOrCreate(reuse ?? join(root!, 'c'), { ...LOAD_SETTINGS });
  const teardown = async () => {
    if (!root) return;
    await cluster.down(() => undefined);
    if (!process.env.KEEP_CLUSTER) await rm(root, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    await cluster.up(log);
  } catch (err) {
    await teardown().catch(() => undefined);
    throw err;
  }
  log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${cluster.plan.dataDir}`);
  project.provide('clusterDir', cluster.plan.dataDir);
  return teardown;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The data folder of the cluster that global-setup started (pass as --data-dir). */
    clusterDir: string;
  }
}
