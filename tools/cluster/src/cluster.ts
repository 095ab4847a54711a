import { constants } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ensureAppDatabase, ensureBrokerUsers, waitForReplication } from './bootstrap.js';
import { drivers, type ClusterContext } from './nodes/index.js';
import { createPlan, findNode, loadPlan, nodesOf, type NodeKind, type NodeSpec } from './plan.js';
import { ProcessTable } from './processes.js';
import { ensureSecrets, loadSecrets } from './secrets.js';
import { mergeSettings } from './settings.js';

/** Progress lines for a person watching `up` or `down`. */
export type Progress = (line: string) => void;

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
}

/** The local cluster behind one data folder: its plan, secrets and processes. */
export class Cluster {
  private constructor(readonly ctx: ClusterContext) {}

  /** An existing cluster; a clear error when `up` never ran here. */
  static async open(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Cluster> {
    const plan = await loadPlan(dataDir);
    if (!plan) throw new ClusterError(`no cluster in ${dataDir}: run "npm run cluster -- up" first`);
    return new Cluster({ plan, secrets: await loadSecrets(plan.dataDir), processes: new ProcessTable(plan.dataDir), settings: await mergeSettings(plan.dataDir, env) });
  }

  /**
   * What would make `up` refuse, checked before it writes anything: a refused start leaves no
   * cluster.json behind. An --app-port only applies when the cluster is created.
   */
  static async checkBeforeUp(dataDir: string, appPort?: number): Promise<void> {
    await assertReachableByPostgres(resolve(dataDir));
    const plan = await loadPlan(dataDir);
    if (plan && appPort !== undefined && appPort !== plan.ports.app) {
      throw new ClusterError(
        `--app-port applies only when a cluster is created: the cluster in ${dataDir} serves the app on port ${plan.ports.app}. To move it: "down", remove ${dataDir} (its data goes too), then "up --app-port ${appPort}"`,
      );
    }
  }

  /** Opens the cluster, creating its plan and secrets the first time. */
  static async openOrCreate(dataDir: string, env: NodeJS.ProcessEnv, appPort?: number): Promise<Cluster> {
    await Cluster.checkBeforeUp(dataDir, appPort);
    const plan = (await loadPlan(dataDir)) ?? (await createPlan(dataDir, appPort));
    const secrets = await ensureSecrets(plan.dataDir);
    return new Cluster({ plan, secrets, processes: new ProcessTable(plan.dataDir), settings: await mergeSettings(plan.dataDir, env) });
  }

  get plan() {
    return this.ctx.plan;
  }

  async isRunning(node: NodeSpec): Promise<boolean> {
    return (await drivers[node.kind].processes(this.ctx, node)).length > 0;
  }

  /** Nodes whose processes are not running. */
  async missing(): Promise<NodeSpec[]> {
    const nodes = nodesOf();
    const running = await Promise.all(nodes.map((n) => this.isRunning(n)));
    return nodes.filter((_, i) => !running[i]);
  }

  /** Starts whatever is not running, in dependency order. Returns the nodes it started. */
  async up(progress: Progress): Promise<NodeSpec[]> {
    const todo = await this.missing();
    const started = Date.now();
    const startAll = async (kind: NodeKind) => {
      await Promise.all(todo.filter((n) => n.kind === kind).map((n) => this.#startNode(n, progress, started)));
    };
    const database = (async () => {
      await startAll('etcd');
      await startAll('postgres');
      await waitForReplication(this.ctx, [0, 1, 2], 2);
      progress(`${elapsed(started)} PostgreSQL: primary and two streaming standbys`);
      await startAll('haproxy');
      await ensureAppDatabase(this.ctx);
    })();
    const messaging = (async () => {
      await startAll('rabbitmq');
      await ensureBrokerUsers(this.ctx, 3);
      progress(`${elapsed(started)} RabbitMQ: three nodes in one cluster`);
    })();
    await settleAll([database, messaging]);
    await startAll('back-end');
    await startAll('smtp');
    await startAll('mailer');
    await startAll('front-end');
    return todo;
  }

  /** Stops everything that runs, front to back. */
  async down(progress: Progress): Promise<void> {
    const started = Date.now();
    const order: NodeKind[][] = [['front-end'], ['mailer', 'back-end'], ['smtp', 'haproxy'], ['rabbitmq', 'postgres'], ['etcd']];
    for (const kinds of order) {
      const nodes = nodesOf().filter((n) => kinds.includes(n.kind));
      await Promise.all(nodes.map((n) => this.#stopIfRunning(n, progress, started)));
    }
  }

  async start(name: string, progress: Progress): Promise<void> {
    const node = this.#node(name);
    if (await this.isRunning(node)) throw new ClusterError(`${name} is already running`);
    await this.#startNode(node, progress, Date.now());
  }

  async stop(name: string): Promise<void> {
    const node = this.#node(name);
    if (!(await this.isRunning(node))) throw new ClusterError(`${name} is not running`);
    await drivers[node.kind].stop(this.ctx, node);
  }

  async kill(name: string): Promise<void> {
    const node = this.#node(name);
    if (!(await this.isRunning(node))) throw new ClusterError(`${name} is not running`);
    await drivers[node.kind].kill(this.ctx, node);
  }

  #node(name: string): NodeSpec {
    const node = findNode(name);
    if (!node) throw new ClusterError(`no node named "${name}"; the nodes are ${nodesOf().map((n) => n.name).join(', ')}`);
    return node;
  }

  async #startNode(node: NodeSpec, progress: Progress, since: number): Promise<void> {
    await drivers[node.kind].start(this.ctx, node);
    progress(`${elapsed(since)} ${node.name} up`);
  }

  async #stopIfRunning(node: NodeSpec, progress: Progress, since: number): Promise<void> {
    if (!(await this.isRunning(node))) return;
    await drivers[node.kind].stop(this.ctx, node);
    progress(`${elapsed(since)} ${node.name} stopped`);
  }
}

const elapsed = (since: number) => `[${((Date.now() - since) / 1000).toFixed(1).padStart(5)}s]`;

/** Like Promise.all, but waits for every branch, so a failure never leaves another half-started. */
async function settleAll(work: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * PostgreSQL runs as `postgres` when we are root: every folder above the data must let it through.
 * Folders not made yet are skipped (up makes them 0755).
 */
async function assertReachableByPostgres(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (let dir = dataDir; dir !== dirname(dir); dir = dirname(dir)) {
    const mode = await stat(dir).then((s) => s.mode, (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
    if (mode !== undefined && (mode & constants.S_IXOTH) === 0) {
      throw new ClusterError(`${dir} is not searchable by other users, so PostgreSQL (run as "postgres") cannot reach ${dataDir}: chmod o+x ${dir}, or pick another --data-dir`);
    }
  }
}
