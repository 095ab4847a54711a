import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_MAX_MESSAGE_BYTES } from '@gatehouse/protocol';
import { freePorts } from './free-port.js';
import { childrenOf, killIfOurs, killQuietly, onProcessExit, randomToken, run, safeName, tail, waitForExit, waitForTcp } from './process-utils.js';

// The /usr/sbin wrappers switch to the rabbitmq user and cd elsewhere; these run as us, in our folder.
const RABBIT_BIN = '/usr/lib/rabbitmq/bin';
const USER = 'gatehouse-test';

export interface RabbitServer {
  url: string;
  amqpPort: number;
  managementPort: number;
  nodeName: string;
  user: string;
  password: string;
  /** Stop the node and delete its temp folder. */
  stop(): Promise<void>;
  /** Stop, then start again with the same ports, node name and data. */
  restart(): Promise<void>;
  start(): Promise<void>;
  /** `rabbitmqctl -n <node> ...args`; resolves with stdout. */
  ctl(...args: string[]): Promise<string>;
}

export async function startRabbit(opts: { name?: string } = {}): Promise<RabbitServer> {
  const started = Date.now();
  const name = safeName(opts.name, 'mq');
  const root = await mkdtemp(join(tmpdir(), `gatehouse-rmq-${name}-`));
  const nodeName = `gh-${name}-${randomToken(3)}@localhost`;
  const password = randomToken(18);
  const [amqpPort, managementPort, distPort] = (await freePorts(3)) as [number, number, number];
  const file = (...parts: string[]) => join(root, ...parts);
  const pidFile = file('rabbitmq.pid');
  const logDir = file('log');

  let child: ChildProcess | undefined;
  let childExit: Promise<void> = Promise.resolve();
  let beamPid = 0;
  let removed = false;

  // Before the pid file is read, the Erlang VM is the only child of the rabbitmq-server script.
  const vmPid = () => beamPid || (child?.pid ? (childrenOf(child.pid)[0] ?? 0) : 0);

  const unregister = onProcessExit(() => {
    killIfOurs(vmPid(), root);
    killQuietly(child?.pid);
    rmSync(root, { recursive: true, force: true });
  });

  // A private env: nothing from our shell (or /etc/rabbitmq/rabbitmq-env.conf, which names the shared node) leaks in.
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: root, // holds .erlang.cookie for both the node and rabbitmqctl
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONF_ENV_FILE: file('rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: file('rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: file('advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: file('enabled_plugins'),
    RABBITMQ_MNESIA_BASE: file('mnesia'),
    RABBITMQ_LOG_BASE: logDir,
    RABBITMQ_PID_FILE: pidFile,
    // Keep Erlang distribution on loopback too.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    RABBITMQ_CTL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };

  const ctl = (args: string[], timeoutMs = 150_000) =>
    run(join(RABBIT_BIN, 'rabbitmqctl'), ['-n', nodeName, ...args], { env, cwd: root, timeoutMs });

  const logs = async () =>
    `--- node log\n${await tail(join(logDir, `${nodeName}.log`))}\n--- console\n${await tail(join(logDir, 'console.log'))}`;

  const startNode = async (): Promise<void> => {
    if (removed) throw new Error('this RabbitMQ was stopped and its folder removed; call startRabbit() again');
    if (child) return;
    const out = openSync(join(logDir, 'console.log'), 'a');
    const proc = spawn(join(RABBIT_BIN, 'rabbitmq-server'), [], { env, cwd: root, stdio: ['ignore', out, out] });
    closeSync(out);
    proc.unref(); // let the test process exit; the exit hook kills the node
    child = proc;
    childExit = new Promise((resolve) => proc.once('exit', () => resolve()));
    const died = childExit.then(async () => {
      throw new Error(`rabbitmq-server exited during startup\n${await logs()}`);
    });
    try {
      // `wait <pidfile>` returns once the rabbit app (and its plugins) runs.
      await Promise.race([ctl(['wait', '--timeout', '120', pidFile]), died]);
      beamPid = Number((await readFile(pidFile, 'utf8')).trim());
      await waitForTcp(amqpPort, 30_000);
      await waitForTcp(managementPort, 30_000);
    } catch (err) {
      await stopNode().catch(() => {});
      throw err instanceof Error && !err.message.includes('--- node log') ? new Error(`${err.message}\n${await logs()}`) : err;
    } finally {
      died.catch(() => {}); // the node exiting later (stop) is not an error
    }
  };

  const stopNode = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    try {
      // Graceful: with a pidfile argument rabbitmqctl also waits for the OS process to end. 3.10's management
      // agent adds a fixed ~5 s pause to every graceful stop (removed upstream in rabbitmq-server#11070).
      if (beamPid === 0) throw new Error('no pid file yet');
      await ctl(['stop', pidFile], 90_000);
    } catch {
      // The script forwards SIGTERM to the VM, which then shuts down gracefully.
      killQuietly(proc.pid, 'SIGTERM');
    }
    if (!(await waitForExit(proc.pid ?? 0, 30_000))) {
      killIfOurs(vmPid(), root);
      killQuietly(proc.pid);
    }
    await childExit;
    child = undefined;
    beamPid = 0;
  };

  try {
    await mkdir(logDir);
    await mkdir(file('mnesia'));
    // Erlang refuses a cookie file that others can read.
    await writeFile(file('.erlang.cookie'), randomToken(16).toUpperCase(), { mode: 0o400 });
    await chmod(file('.erlang.cookie'), 0o400);
    await writeFile(file('rabbitmq-env.conf'), '# intentionally empty: isolates us from /etc/rabbitmq/rabbitmq-env.conf\n');
    await writeFile(file('advanced.config'), '[].\n');
    await writeFile(file('enabled_plugins'), '[rabbitmq_management].\n');
    await writeFile(
      file('rabbitmq.conf'),
      [
        `listeners.tcp.1 = 127.0.0.1:${amqpPort}`,
        'management.tcp.ip = 127.0.0.1',
        `management.tcp.port = ${managementPort}`,
        // A non-guest default user means the guest account is never created.
        `default_user = ${USER}`,
        `default_pass = ${password}`,
        'default_user_tags.administrator = true',
        'loopback_users.guest = true',
        // As every broker we ship: an oversized message is refused before any client parses it.
        `max_message_size = ${BROKER_MAX_MESSAGE_BYTES}`,
        'log.file.level = info',
        '',
      ].join('\n'),
    );
    await startNode();
  } catch (err) {
    unregister();
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
    throw err;
  }

  if (process.env.HARNESS_DEBUG) console.log(`[harness] rabbitmq ${nodeName} up in ${Date.now() - started} ms`);
  return {
    url: `amqp://${USER}:${encodeURIComponent(password)}@127.0.0.1:${amqpPort}`,
    amqpPort,
    managementPort,
    nodeName,
    user: USER,
    password,
    start: startNode,
    async restart() {
      await stopNode();
      await startNode();
    },
    async stop() {
      if (removed) return;
      try {
        await stopNode();
      } finally {
        removed = true;
        unregister();
        await rm(root, { recursive: true, force: true, maxRetries: 3 });
      }
    },
    ctl: (...args: string[]) => ctl(args),
  };
}
