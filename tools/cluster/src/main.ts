import { parseArgs } from 'node:util';
import { Cluster, ClusterError } from './cluster.js';
import { clusterStatus, formatStatus } from './status.js';
import { switchover } from './switchover.js';

const USAGE = `Usage: npm run cluster -- <command> [options]

Commands:
  up                 start every node that is not running (creates the cluster the first time)
  status [--json]    one row per node: role, state, PID, replication lag, queue depth
  kill <name>        SIGKILL a node (PostgreSQL: its postmaster and its Patroni)
  stop <name>        stop a node gracefully
  start <name>       start a stopped node
  switchover [--to <pgN>]  move the PostgreSQL primary gracefully
  down               stop everything, keeping the data

Options:
  --data-dir <dir>   the cluster's folder (default data/cluster, or CLUSTER_DATA_DIR)
  --app-port <port>  the app's port, chosen at the first up (default: a free port)
  --json             machine-readable status`;

/** A mistake in how the command was called: exit code 2, with the usage. */
class UsageError extends Error {}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        'app-port': { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function appPortOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new UsageError(`--app-port must be a port number (1-65535), not "${value}"`);
  return port;
}

function expectArgs(command: string, args: string[], count: number): void {
  if (args.length !== count) throw new UsageError(count === 0 ? `"${command}" takes no arguments` : `"${command}" needs a node name, e.g. "${command} pg1"`);
}

const say = (line: string) => console.log(line);

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) return (say(USAGE), 0);
  const [command, ...args] = positionals;
  const dataDir = values['data-dir'] ?? process.env.CLUSTER_DATA_DIR ?? 'data/cluster';
  switch (command) {
    case 'up': {
      expectArgs(command, args, 0);
      const cluster = await Cluster.openOrCreate(dataDir, process.env, appPortOf(values['app-port']));
      if ((await cluster.missing()).length === 0) return (say(`The cluster in ${dataDir} is already running; nothing changed.`), 0);
      await cluster.up(say);
      say(summary((await clusterStatus(cluster.ctx)), cluster.plan.dataDir));
      return 0;
    }
    case 'status': {
      expectArgs(command, args, 0);
      const status = await clusterStatus((await Cluster.open(dataDir)).ctx);
      say(values.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      return 0;
    }
    case 'kill':
    case 'stop':
    case 'start': {
      expectArgs(command, args, 1);
      const cluster = await Cluster.open(dataDir, process.env);
      if (command === 'start') await cluster.start(args[0]!, say);
      else await cluster[command](args[0]!);
      if (command !== 'start') say(`${args[0]} ${command === 'kill' ? 'killed' : 'stopped'}`);
      return 0;
    }
    case 'switchover': {
      expectArgs(command, args, 0);
      say(`The primary is now ${await switchover((await Cluster.open(dataDir)).ctx, values.to)}`);
      return 0;
    }
    case 'down': {
      expectArgs(command, args, 0);
      await (await Cluster.open(dataDir)).down(say);
      say(`Stopped. The data stays in ${dataDir}; "up" starts it again.`);
      return 0;
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
  }
}

function summary(status: Awaited<ReturnType<typeof clusterStatus>>, dataDir: string): string {
  return [
    '',
    `App:                 ${status.app}`,
    `RabbitMQ management: ${status.management} (user admin)`,
    `HAProxy stats:       ${status.stats} (user admin)`,
    `Status:              ${status.app}status (admin token: "adminToken" in secrets.json; or ADMIN_TOKEN=… npm run status -- --url ${status.app})`,
    `Passwords:           ${dataDir}/secrets.json`,
  ].join('\n');
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`cluster: ${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(`cluster: ${err instanceof ClusterError ? err.message : (err as Error).message ?? String(err)}`);
    process.exitCode = 1;
  }
}
