import type { NodeSpec } from '../plan.js';
import { isRunning, signal, terminate, waitForExit, type ProcessRecord } from '../processes.js';
import type { ClusterContext } from './context.js';

/** stop/kill/processes for a node that is one process, recorded under its name. */
export const singleProcess = {
  async stop(ctx: ClusterContext, node: NodeSpec, graceMs = 15_000): Promise<void> {
    await terminate(ctx.processes.get(node.name), graceMs);
  },
  async kill(ctx: ClusterContext, node: NodeSpec): Promise<void> {
    const record = ctx.processes.get(node.name);
    signal(record, 'SIGKILL');
    await waitForExit(record, 5000);
  },
  async processes(ctx: ClusterContext, node: NodeSpec): Promise<ProcessRecord[]> {
    const record = ctx.processes.get(node.name);
    return isRunning(record) ? [record] : [];
  },
};
