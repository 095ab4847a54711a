import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { ClusterContext } from '../src/nodes/context.js';
import { createPlan } from '../src/plan.js';
import { ProcessTable } from '../src/processes.js';
import { ensureSecrets } from '../src/secrets.js';

const folders: string[] = [];
afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * A cluster as its first `up` plans it (ports, secrets) in a temporary folder, with no server
 * started: enough to see what the cluster would hand its tiers. Removed after the file's tests.
 */
export async function plannedContext(settings: Record<string, string> = {}): Promise<ClusterContext> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cluster-planned-'));
  folders.push(dataDir);
  const plan = await createPlan(dataDir);
  return { plan, secrets: await ensureSecrets(dataDir), settings, processes: new ProcessTable(dataDir) };
}
