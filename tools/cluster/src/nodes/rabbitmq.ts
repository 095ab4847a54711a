import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RABBITMQ_PLUGINS, RABBITMQ_SHARED_CONF } from '@gatehouse/operations';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { logFile, nodeDir, type ClusterPlan, type NodeSpec } from '../plan.js';
import { isRunning, pidFromFile, recordOf, settled, signal, spawnDetached, terminate, waitForExit, waitUntil, type ProcessRecord } from '../processes.js';
import { HOST, type ClusterContext, type NodeDriver } from './context.js';

// The /usr/sbin wrappers switch to the rabbitmq user and cd elsewhere; these run as us, in our folder.
export const RABBIT_BIN = '/usr/lib/rabbitmq/bin';
export const RABBIT_ADMIN = 'admin';

export const rabbitNodeName = (plan: ClusterPlan, i: number) => `gh${plan.id}-rabbit${i + 1}@localhost`;
export const managementUrl = (plan: ClusterPlan, i: number) => `http://${HOST}:${plan.ports.rabbitmq[i]!.management}`;
const pidFile = (plan: ClusterPlan, node: NodeSpec) => join(nodeDir(plan, node.name), 'rabbitmq.pid');
const erlangHome = (plan: ClusterPlan) => join(plan.dataDir, 'rabbitmq-home');

function nodeConfig(ctx: ClusterContext, node: NodeSpec): string {
  const { plan, secrets } = ctx;
  const ports = plan.ports.rabbitmq[node.index]!;
  const peers = plan.ports.rabbitmq.map((_, i) => `cluster_formation.classic_config.nodes.${i + 1} = ${rabbitNodeName(plan, i)}`);
  return [
    `listeners.tcp.1 = ${HOST}:${ports.amqp}`,
    `management.tcp.ip = ${HOST}`,
    `management.tcp.port = ${ports.management}`,
    // A non-guest default user means the guest account is never created.
    `default_user = ${RABBIT_ADMIN}`,
    `default_pass = ${secrets.rabbitmqAdmin}`,
    'default_user_tags.administrator = true',
    'cluster_formation.peer_discovery_backend = classic_config',
    ...peers,
    ...RABBITMQ_SHARED_CONF,
    'log.file.level = info',
    '',
  ].join('\n');
}

function nodeEnv(ctx: ClusterContext, node: NodeSpec): NodeJS.ProcessEnv {
  const { plan } = ctx;
  const dir = nodeDir(plan, node.name);
  const ports = plan.ports.rabbitmq[node.index]!;
  return {
    PATH: '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: erlangHome(plan), // holds the .erlang.cookie the three nodes share
    ERL_EPMD_ADDRESS: HOST,
    RABBITMQ_NODENAME: rabbitNodeName(plan, node.index),
    RABBITMQ_NODE_IP_ADDRESS: HOST,
    RABBITMQ_NODE_PORT: String(ports.amqp),
    RABBITMQ_DIST_PORT: String(ports.dist),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: pidFile(plan, node),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    RABBITMQ_CTL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
}

async function writeNodeFiles(ctx: ClusterContext, node: NodeSpec): Promise<void> {
  const dir = nodeDir(ctx.plan, node.name);
  await mkdir(join(dir, 'mnesia'), { recursive: true });
  await mkdir(join(dir, 'log'), { recursive: true });
  const home = erlangHome(ctx.plan);
  await mkdir(home, { recursive: true, mode: 0o700 });
  const cookie = join(home, '.erlang.cookie');
  // Erlang refuses a cookie file that others can read.
  if (!existsSync(cookie)) await writeFile(cookie, ctx.secrets.erlangCookie, { mode: 0o400 });
  await chmod(cookie, 0o400);
  // Empty on purpose: keeps /etc/rabbitmq/rabbitmq-env.conf (which names the machine's own node) out.
  await writeFile(join(dir, 'rabbitmq-env.conf'), '');
  await writeFile(join(dir, 'advanced.config'), '[].\n');
  await writeFile(join(dir, 'enabled_plugins'), `[${RABBITMQ_PLUGINS.join(',')}].\n`);
  await writeFile(join(dir, 'rabbitmq.conf'), nodeConfig(ctx, node), { mode: 0o600 });
}

/** `rabbitmqctl -n <node> …` as this node's user and environment. */
export async function rabbitmqctl(ctx: ClusterContext, node: NodeSpec, args: string[], timeoutMs = 150_000): Promise<string> {
  const env = nodeEnv(ctx, node);
  const { stdout } = await promisify(execFile)(join(RABBIT_BIN, 'rabbitmqctl'), ['-n', env.RABBITMQ_NODENAME!, ...args], {
    env,
    cwd: nodeDir(ctx.plan, node.name),
    timeout: timeoutMs,
  });
  return stdout;
}

/** The Erlang VM, from the node's pid file (the rabbitmq-server script is its parent). */
async function vmOf(plan: ClusterPlan, node: NodeSpec): Promise<ProcessRecord | undefined> {
  const pid = await pidFromFile(pidFile(plan, node));
  const record = pid ? recordOf(pid) : undefined;
  return isRunning(record) ? record : undefined;
}

const BOOT_ATTEMPTS = 4;

/** True once `running` lists nothing: a VM whose boot failed takes a few seconds to stop. */
async function exitsWithin(running: () => Promise<unknown[]>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while ((await running()).length > 0) {
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
  return true;
}

async function boot(ctx: ClusterContext, node: NodeSpec): Promise<void> {
  const log = logFile(ctx.plan, node.name);
  const env = nodeEnv(ctx, node);
  const record = spawnDetached(join(RABBIT_BIN, 'rabbitmq-server'), [], { env, cwd: nodeDir(ctx.plan, node.name), logFile: log });
  ctx.processes.set(node.name, record);
  // `wait <pidfile>` returns once the rabbit application (and its plugins) runs.
  const started = settled(rabbitmqctl(ctx, node, ['wait', '--timeout', '150', pidFile(ctx.plan, node)], 160_000));
  await waitUntil(`${node.name} (RabbitMQ) did not start`, started, {
    timeoutMs: 160_000,
    process: record,
    logFile: log,
  });
}

/** One RabbitMQ 3.10 node of three, clustered by classic_config peer discovery. */
export const rabbitmq: NodeDriver = {
  async start(ctx: ClusterContext, node: NodeSpec) {
    await writeNodeFiles(ctx, node);
    for (let attempt = 1; ; attempt++) {
      try {
        return await boot(ctx, node);
      } catch (err) {
        // RabbitMQ 3.10 races when peers restart together: a node syncing feature flags with a
        // peer that is itself still booting can fail with incompatible_feature_flags. It boots
        // cleanly once the peer is up, so a node whose VM stops after "BOOT FAILED" is started
        // again, at a random moment: peers that failed together must not retry in step.
        const exited = await exitsWithin(() => this.processes(ctx, node), 20_000);
        if (!exited || attempt >= BOOT_ATTEMPTS) throw err;
        await sleep(1000 + Math.random() * 5000);
      }
    }
  },

  async stop(ctx: ClusterContext, node: NodeSpec) {
    const script = ctx.processes.get(node.name);
    try {
      await rabbitmqctl(ctx, node, ['stop', pidFile(ctx.plan, node)], 60_000);
    } catch {
      signal(script, 'SIGTERM'); // the script passes it on to the VM, which stops gracefully
    }
    await terminate(script, 30_000);
    await terminate(await vmOf(ctx.plan, node), 5000);
  },

  async kill(ctx: ClusterContext, node: NodeSpec) {
    const targets = await this.processes(ctx, node);
    targets.forEach((p) => signal(p, 'SIGKILL'));
    await Promise.all(targets.map((p) => waitForExit(p, 5000)));
  },

  async processes(ctx: ClusterContext, node: NodeSpec) {
    const vm = await vmOf(ctx.plan, node);
    const script = ctx.processes.get(node.name);
    return [vm, script].filter((p): p is ProcessRecord => isRunning(p));
  },
};
