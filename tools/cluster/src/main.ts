import { parseArgs } from 'node:util';
import { Cluster, ClusterError } from './cluster.js';
import { ENV_TARGETS, envFor, exportLines, type EnvTarget } from './env-lines.js';
import { caughtMails, mailFolder } from './mail/mailbox.js';
import { clusterStatus, formatStatus, type ClusterStatus } from './status.js';
import { switchover } from './switchover.js';
import { ensureClusterPackages } from './system-packages.js';
import { killNote, resolveTarget } from './targets.js';

const USAGE = `Usage: npm run cluster -- <command> [options]

Commands:
  up                 start every node that is not running (creates the cluster the first time)
  status [--json]    one row per node: role, state, PID, replication lag, queue depth
                     (exits 3 when no node runs)
  kill <name>        SIGKILL a node (PostgreSQL: its postmaster and its Patroni); the names
                     primary and queue-leader mean whichever node holds that role now
  stop <name>        stop a node gracefully (primary and queue-leader too)
  start <name>       start a stopped node
  switchover [--to <pgN>]  move the PostgreSQL primary gracefully
  env [front-end|back-end|admin]  export lines to start one more tier by hand, or for
                     npm run status (admin, the default): eval "$(npm run -s cluster -- env)"
  mail [--json]      the mails the SMTP catcher kept (the Mailers send there unless up was
                     given SMTP_URL): recipient, subject and link, oldest first
  down               stop everything, keeping the data

Options:
  --data-dir <dir>   the cluster's folder (default data/cluster, or CLUSTER_DATA_DIR)
  --app-port <port>  the app's port, chosen when the cluster is created (default: a free port)
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
  if (args.length !== count) throw new UsageError(count === 0 ? `"${command}" takes no arguments` : `"${command}" needs a node name, e.g. "${command} primary" or "${command} pg1"`);
}

function envTargetOf(args: string[]): EnvTarget {
  if (args.length > 1) throw new UsageError('"env" takes at most one of front-end, back-end, admin');
  const target = args[0] ?? 'admin';
  if (!(ENV_TARGETS as readonly string[]).includes(target)) throw new UsageError(`"env" prints settings for front-end, back-end or admin, not "${target}"`);
  return target as EnvTarget;
}

/** With no node running, status says the cluster is stopped: 3, as `systemctl status` for a stopped unit. */
const STOPPED = 3;

const say = (line: string) => console.log(line);

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) return (say(USAGE), 0);
  const [command, ...args] = positionals;
  const dataDir = values['data-dir'] ?? process.env.CLUSTER_DATA_DIR ?? 'data/cluster';
  switch (command) {
    case 'up': {
      expectArgs(command, args, 0);
      const appPort = appPortOf(values['app-port']);
      // Everything that can refuse comes before anything is written.
      await Cluster.checkBeforeUp(dataDir, appPort);
      ensureClusterPackages(say);
      const cluster = await Cluster.openOrCreate(dataDir, process.env, appPort);
      if ((await cluster.missing()).length === 0) say(`The cluster in ${dataDir} is already running; nothing changed.`);
      else await cluster.up(say);
      say(summary(await clusterStatus(cluster.ctx), dataDir, values['data-dir']));
      return 0;
    }
    case 'status': {
      expectArgs(command, args, 0);
      const status = await clusterStatus((await Cluster.open(dataDir)).ctx);
      const stopped = status.nodes.every((n) => n.state === 'stopped');
      if (values.json) say(JSON.stringify(status, null, 2));
      else say(stopped ? `The cluster in ${dataDir} is stopped: no node runs. "npm run cluster -- up" starts it.` : formatStatus(status));
      return stopped ? STOPPED : 0;
    }
    case 'kill':
    case 'stop': {
      expectArgs(command, args, 1);
      const cluster = await Cluster.open(dataDir, process.env);
      const before = await clusterStatus(cluster.ctx);
      const name = resolveTarget(args[0]!, before);
      await cluster[command](name);
      const node = before.nodes.find((n) => n.name === name);
      say(command === 'kill' && node ? killNote(node, before) : `${name} stopped`);
      return 0;
    }
    case 'start': {
      expectArgs(command, args, 1);
      await (await Cluster.open(dataDir, process.env)).start(args[0]!, say);
      return 0;
    }
    case 'env': {
      const target = envTargetOf(args);
      say(exportLines(envFor((await Cluster.open(dataDir)).ctx, target)));
      return 0;
    }
    case 'switchover': {
      expectArgs(command, args, 0);
      say(`The primary is now ${await switchover((await Cluster.open(dataDir)).ctx, values.to)}`);
      return 0;
    }
    case 'mail': {
      expectArgs(command, args, 0);
      const { plan } = (await Cluster.open(dataDir)).ctx;
      const mails = await caughtMails(plan);
      if (values.json) say(JSON.stringify(mails, null, 2));
      else if (!mails.length) say(`No mail caught yet (the SMTP catcher keeps mail in ${mailFolder(plan)}).`);
      else say(mails.map((m) => `${m.to.join(', ')}: ${m.subject}${m.link ? `\n  ${m.link}` : ''}`).join('\n'));
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

/** The addresses, after every up: a second up reprints them rather than leaving them to be found. */
function summary(status: ClusterStatus, dataDir: string, given: string | undefined): string {
  const dirOption = given === undefined ? '' : ` --data-dir ${given}`;
  return [
    '',
    `App:                 ${status.app}`,
    `RabbitMQ management: ${status.management} (user admin)`,
    `HAProxy stats:       ${status.stats} (user admin)`,
    `Status page:         ${status.app}status (admin token: "adminToken" in ${dataDir}/secrets.json)`,
    `Passwords:           ${dataDir}/secrets.json`,
    '',
    'In a terminal, or to start one more tier by hand ("env front-end", "env back-end"):',
    `  eval "$(npm run -s cluster -- env admin${dirOption})" && npm run status`,
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
