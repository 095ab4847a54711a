import { readFileSync, rmSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLineOf } from '@gatehouse/processes';
import postgres from 'postgres';
import { freePort } from './free-port.js';
import { childrenOf, isAlive, killIfOurs, killQuietly, onProcessExit, randomToken, run, safeName, tail, waitForExit } from './process-utils.js';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const APP_USER = 'gatehouse';
const APP_DB = 'gatehouse';

export interface PostgresServer {
  url: string;
  port: number;
  dataDir: string;
  /** The private Unix socket folder, where the `postgres` superuser (and replication) may connect without a password. */
  socketDir: string;
  /** PID of the running postmaster (changes after restart/start). */
  pid: number;
  /** Fast shutdown, then delete the temp folder. */
  stop(): Promise<void>;
  /** Fast shutdown and start again on the same port and data. */
  restart(): Promise<void>;
  /** SIGKILL the postmaster, as a crash would; start() recovers. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

// initdb and postgres refuse to run as root; run them as the postgres user with a clean environment.
async function asPostgres(home: string, cmd: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const prefix = ['-i', 'PATH=/usr/bin:/bin', 'LANG=C.UTF-8', `HOME=${home}`];
  const setpriv = ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups'];
  return run('/usr/bin/env', [...prefix, ...setpriv, join(PG_BIN, cmd), ...args], { env: {}, cwd: home, timeoutMs });
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', 'postgres'])).trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).trim());
  return { uid, gid };
}

/** A server's temp folder and its socket folder, owned by postgres and closed to everyone else. */
async function ownFolders(root: string, socketDir: string): Promise<void> {
  const { uid, gid } = await postgresIds();
  await mkdir(socketDir, { mode: 0o700 });
  await chown(root, uid, gid);
  await chown(socketDir, uid, gid);
  await chmod(root, 0o700);
}

/** The live postmaster's PID from its lock file, else 0 (sync: also used from the exit hook). */
function postmasterPid(dataDir: string): number {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    // After a crash the file is stale and its PID may belong to someone else by now.
    const ours = commandLineOf(pid).includes(dataDir);
    return Number.isInteger(pid) && pid > 0 && ours ? pid : 0;
  } catch {
    return 0;
  }
}

export async function startPostgres(opts: { name?: string } = {}): Promise<PostgresServer> {
  const started = Date.now();
  const root = await mkdtemp(join(tmpdir(), `gatehouse-pg-${safeName(opts.name, 'db')}-`));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'sock');
  const logFile = join(root, 'postgres.log');
  const password = randomToken(18);
  let pid = 0;
  let removed = false;

  const unregister = onProcessExit(() => {
    const live = pid || postmasterPid(dataDir); // pid is still 0 while pg_ctl start runs
    const backends = live ? childrenOf(live) : [];
    killIfOurs(live, dataDir);
    backends.forEach((backend) => killQuietly(backend));
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  });

  try {
    await ownFolders(root, socketDir);

    await asPostgres(root, 'initdb', [
      '-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync', '--no-instructions',
    ]);
    const port = await freePort();
    // Appending/overwriting keeps postgres ownership and 0600 mode of these files.
    await appendFile(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        '# gatehouse test harness',
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `unix_socket_directories = '${socketDir}'`,
        // Tests don't survive power loss; synchronous_commit stays on so kill() -9 loses no commits.
        'fsync = off',
        'full_page_writes = off',
        'shared_buffers = 32MB',
        "password_encryption = 'scram-sha-256'",
        '',
      ].join('\n'),
    );
    await writeFile(
      join(dataDir, 'pg_hba.conf'),
      [
        '# superuser only via the socket inside our private temp folder (setup step, and standbys: startStandby)',
        'local all postgres trust',
        'local replication postgres trust',
        '# everyone else: password over loopback TCP',
        'host all all 127.0.0.1/32 scram-sha-256',
        '',
      ].join('\n'),
    );

    const startServer = async (): Promise<void> => {
      if (removed) throw new Error('this PostgreSQL was stopped and its folder removed; call startPostgres() again');
      if (pid !== 0 && isAlive(pid)) return;
      await asPostgres(root, 'pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-s', 'start']).catch(async (err: Error) => {
        throw new Error(`${err.message}\n--- ${logFile}\n${await tail(logFile)}`);
      });
      pid = postmasterPid(dataDir);
      if (pid === 0) throw new Error(`pg_ctl started PostgreSQL but ${dataDir}/postmaster.pid is unreadable`);
    };
    const stopServer = async (): Promise<void> => {
      if (pid === 0) return;
      if (isAlive(pid)) await asPostgres(root, 'pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', '-s', 'stop']);
      pid = 0;
    };

    await startServer();

    // Superuser setup over the private unix socket; format() quotes the password server-side.
    const admin = postgres({ host: socketDir, port, user: 'postgres', database: 'postgres', max: 1, onnotice: () => {} });
    try {
      const [row] = await admin<{ q: string }[]>`
        select format('create role %I login createdb password %L', ${APP_USER}::text, ${password}::text) as q`;
      if (!row) throw new Error('format() returned nothing');
      await admin.unsafe(row.q);
      await admin`create database ${admin(APP_DB)} owner ${admin(APP_USER)}`;
    } finally {
      await admin.end({ timeout: 5 });
    }

    const server: PostgresServer = {
      url: `postgres://${APP_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${APP_DB}`,
      port,
      dataDir,
      socketDir,
      get pid() {
        return pid;
      },
      start: startServer,
      async stop() {
        if (removed) return;
        try {
          await stopServer();
        } finally {
          killIfOurs(pid, dataDir); // only if the fast stop failed
          removed = true;
          unregister();
          await rm(root, { recursive: true, force: true, maxRetries: 3 });
        }
      },
      async restart() {
        await stopServer();
        await startServer();
      },
      async kill() {
        if (pid === 0) return;
        const backends = childrenOf(pid);
        killIfOurs(pid, dataDir);
        // A new postmaster refuses to start while the old PID exists, even as a zombie that init has not
        // reaped yet (PID 1 on this VM reaps slowly), or while orphaned backends still hold shared memory.
        if (!(await waitForExit(pid, 30_000, { reaped: true }))) throw new Error(`postmaster ${pid} was not reaped`);
        for (const backend of backends) {
          if (!(await waitForExit(backend, 10_000))) killQuietly(backend);
        }
        pid = 0;
      },
    };
    if (process.env.HARNESS_DEBUG) console.log(`[harness] postgres ${root} up in ${Date.now() - started} ms`);
    return server;
  } catch (err) {
    killIfOurs(pid || postmasterPid(dataDir), dataDir); // pg_ctl -w may give up while the server still starts
    unregister();
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
    throw err;
  }
}

/** Create a fresh database (random name, owned by `owner`) on the server behind `adminUrl`; returns its URL. */
export async function createTestDatabase(adminUrl: string, opts: { owner?: string } = {}): Promise<string> {
  const url = new URL(adminUrl);
  const owner = opts.owner ?? APP_USER;
  const name = `test_${randomToken(6)}`;
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`create database ${sql(name)} owner ${sql(owner)}`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  url.pathname = `/${name}`;
  return url.toString();
}

export interface StandbyServer {
  port: number;
  /** The name it streams under: `application_name` in the primary's pg_stat_replication. */
  name: string;
  stop(): Promise<void>;
}

/**
 * A streaming standby of `primary` (pg_basebackup -R over the primary's private socket), in a
 * temp folder of its own, listening on a free loopback port.
 */
export async function startStandby(primary: PostgresServer, name = 'standby1'): Promise<StandbyServer> {
  const root = await mkdtemp(join(tmpdir(), `gatehouse-pg-${safeName(name, 'standby')}-`));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'sock');
  const logFile = join(root, 'postgres.log');
  const unregister = onProcessExit(() => {
    killIfOurs(postmasterPid(dataDir), dataDir);
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  });
  try {
    await ownFolders(root, socketDir);
    await asPostgres(root, 'pg_basebackup', ['-D', dataDir, '-h', primary.socketDir, '-p', String(primary.port), '-U', 'postgres', '-R', '-X', 'stream', '-c', 'fast']);
    const port = await freePort();
    // cluster_name is also the walreceiver's application_name on the primary.
    await appendFile(join(dataDir, 'postgresql.conf'), `\nport = ${port}\nunix_socket_directories = '${socketDir}'\ncluster_name = '${name}'\n`);
    await asPostgres(root, 'pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-s', 'start']).catch(async (err: Error) => {
      throw new Error(`${err.message}\n--- ${logFile}\n${await tail(logFile)}`);
    });
    return {
      port,
      name,
      async stop() {
        await asPostgres(root, 'pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', '-s', 'stop']).catch(() => killIfOurs(postmasterPid(dataDir), dataDir));
        unregister();
        await rm(root, { recursive: true, force: true, maxRetries: 3 });
      },
    };
  } catch (err) {
    killIfOurs(postmasterPid(dataDir), dataDir);
    unregister();
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
    throw err;
  }
}
