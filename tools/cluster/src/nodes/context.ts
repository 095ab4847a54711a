import type { ClusterPlan, NodeSpec } from '../plan.js';
import type { ProcessRecord, ProcessTable } from '../processes.js';
import type { ClusterSecrets } from '../secrets.js';

/** What every node driver needs: where things are, the credentials, and who runs. */
export interface ClusterContext {
  plan: ClusterPlan;
  secrets: ClusterSecrets;
  processes: ProcessTable;
  /** Front End and Back End settings passed through from the environment of `up` or `start`. */
  settings: Record<string, string>;
}

/** How one kind of node is started, stopped and killed. */
export interface NodeDriver {
  /** Spawns the node and resolves once it serves (it is not running when called). */
  start(ctx: ClusterContext, node: NodeSpec): Promise<void>;
  /** Graceful stop. */
  stop(ctx: ClusterContext, node: NodeSpec): Promise<void>;
  /** SIGKILL of every process of the node, as a crash. */
  kill(ctx: ClusterContext, node: NodeSpec): Promise<void>;
  /** The node's live processes, main one first (empty when it is down). */
  processes(ctx: ClusterContext, node: NodeSpec): Promise<ProcessRecord[]>;
}

/** Loopback only: every server binds 127.0.0.1. */
export const HOST = '127.0.0.1';
