import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DB_ROLES, PATRONI_DCS, PATRONI_INITDB } from '@gatehouse/operations';
import { freePorts } from '../harness/free-port.js';
import { startPostgres, type PostgresServer } from '../harness/postgres.js';

// The database image (deploy/db), checked without Docker (test/deploy-live runs the image itself):
// this machine's Patroni (3.0.2, the image has 4.0) validates the config the entry script would start
// it with, and the role/database script runs on a real server.

const DB_DIR = join(import.meta.dirname, '../../deploy/db');
const ENTRY = join(DB_DIR, 'gatehouse-patroni');
const CONFIG = join(DB_DIR, 'patroni.yml');
const SQL = join(DB_DIR, 'create-app-db.sql');

const SECRETS = {
  PATRONI_SUPERUSER_PASSWORD: 'superuser-secret',
  PATRONI_REPLICATION_PASSWORD: 'replication-secret',
  PATRONI_REWIND_PASSWORD: 'rewind-secret',
  PATRONI_RESTAPI_PASSWORD: 'restapi-secret',
  GATEHOUSE_DB_PASSWORD: 'app-secret',
};
const KUBERNETES = {
  PATRONI_SCOPE: 'gatehouse',
  PATRONI_KUBERNETES_NAMESPACE: 'gatehouse',
  PATRONI_KUBERNETES_LABELS: '{application: gatehouse}',
  PATRONI_KUBERNETES_POD_IP: '10.1.2.3',
  ...SECRETS,
};

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function sh(file: string, args: string[], env: Record<string, string>, opts: { asPostgres?: boolean } = {}): Result {
  // The image runs the script as postgres (its USER).
  const [cmd, argv] = opts.asPostgres ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', file, ...args]] : [file, args];
  const r = spawnSync(cmd, argv, { env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let fakeBin: string;
/**
 * The entry script as postgres runs it: a copy in a folder it can read, as in the image. The
 * clone's own folder may be closed to other users (a clone under /root, mode 700 on Debian).
 */
let entry: string;

/** Runs the entry script with a stand-in `patroni` that prints its arguments and environment. */
function entryScript(env: Record<string, string>): { result: Result; args: string[]; env: Record<string, string> } {
  const result = sh('/bin/sh', [entry], { ...env, PATH: `${fakeBin}:/usr/bin:/bin` }, { asPostgres: true });
  const lines = result.stdout.split('\n');
  const args = lines.filter((l) => l.startsWith('ARG ')).map((l) => l.slice(4));
  const seen = Object.fromEntries(lines.filter((l) => /^[A-Z0-9_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return { result, args, env: seen };
}

/** `patroni --validate-config` with the environment the entry script handed to Patroni. */
function validate(env: Record<string, string>, listenPorts: number[]): Result {
  // This machine's own PostgreSQL may hold 5432, which the validator would call "already in use".
  const [sqlPort, restPort] = listenPorts;
  const { PATH: _path, ...rest } = env;
  return sh('/usr/bin/patroni', ['--validate-config', CONFIG], {
    ...rest,
    // The image's PostgreSQL is 17; this machine has 15, whose binaries the validator looks for.
    PATRONI_POSTGRESQL_BIN_DIR: '/usr/lib/postgresql/15/bin',
    PATRONI_POSTGRESQL_LISTEN: `127.0.0.1:${sqlPort}`,
    PATRONI_RESTAPI_LISTEN: `127.0.0.1:${restPort}`,
  });
}

beforeAll(async () => {
  fakeBin = await mkdtemp(join(tmpdir(), 'gatehouse-fake-patroni-'));
  await writeFile(join(fakeBin, 'patroni'), '#!/bin/sh\nprintf "ARG %s\\n" "$@"\nenv\n');
  await chmod(join(fakeBin, 'patroni'), 0o755);
  await chmod(fakeBin, 0o755);
  entry = join(fakeBin, 'gatehouse-patroni');
  await copyFile(ENTRY, entry);
  await chmod(entry, 0o755);
});
afterAll(async () => {
  await rm(fakeBin, { recursive: true, force: true });
});

describe('deploy/db/patroni.yml', () => {
  it('bootstraps with the shared settings of packages/operations', async () => {
    const config = parse(await readFile(CONFIG, 'utf8'));
    expect(config.bootstrap.dcs).toStrictEqual(PATRONI_DCS);
    expect(config.bootstrap.initdb).toStrictEqual(PATRONI_INITDB);
    expect(config.bootstrap.post_bootstrap).toBe('/usr/local/bin/gatehouse-post-bootstrap');
    const auth = config.postgresql.authentication;
    expect([auth.superuser.username, auth.replication.username, auth.rewind.username]).toEqual([DB_ROLES.superuser, DB_ROLES.replication, DB_ROLES.rewind]);
    expect(config.postgresql).toMatchObject({ listen: '0.0.0.0:5432', data_dir: '/var/lib/postgresql/data/pgdata', bin_dir: '/usr/lib/postgresql/17/bin' });
    expect(config.restapi.listen).toBe('0.0.0.0:8008');
  });

  it('holds no password and names no DCS (both come from the environment)', async () => {
    const text = await readFile(CONFIG, 'utf8');
    expect(text).not.toMatch(/password\s*:/i);
    const config = parse(text);
    for (const dcs of ['etcd', 'etcd3', 'kubernetes', 'consul', 'zookeeper', 'raft']) expect(config).not.toHaveProperty(dcs);
  });

  it('asks for a password on every network connection', async () => {
    const hba: string[] = parse(await readFile(CONFIG, 'utf8')).postgresql.pg_hba;
    for (const line of hba.filter((l) => l.startsWith('host'))) expect(line).toMatch(/ scram-sha-256$/);
    expect(hba).toContain(`host replication ${DB_ROLES.replication} 0.0.0.0/0 scram-sha-256`);
    expect(hba).toContain('host all all 0.0.0.0/0 scram-sha-256');
  });
});

describe('gatehouse-patroni', () => {
  it('is valid POSIX sh, as are the bootstrap scripts', () => {
    for (const script of [ENTRY, join(DB_DIR, 'gatehouse-postgres'), join(DB_DIR, 'gatehouse-post-bootstrap'), join(DB_DIR, 'initdb-app-db.sh')]) {
      const r = sh('/bin/sh', ['-n', script], {});
      expect(r.stderr, script).toBe('');
      expect(r.status, script).toBe(0);
    }
  });

  it('runs, as postgres, a copy that postgres can read wherever the clone is', async () => {
    expect(await readFile(entry, 'utf8')).toBe(await readFile(ENTRY, 'utf8'));
    expect(sh('/bin/sh', ['-c', 'test -r "$0"', entry], {}, { asPostgres: true }).status).toBe(0);
  });

  it('starts Patroni on Kubernetes with a config the real Patroni accepts', async () => {
    const { result, args, env } = entryScript(KUBERNETES);
    expect(result.stderr).toBe('');
    expect(args).toEqual(['/etc/patroni/patroni.yml']);
    expect(env.PATRONI_POSTGRESQL_CONNECT_ADDRESS).toBe('10.1.2.3:5432');
    expect(env.PATRONI_RESTAPI_CONNECT_ADDRESS).toBe('10.1.2.3:8008');
    expect(env.PATRONI_NAME).toBe(sh('/bin/hostname', [], {}).stdout.trim());
    const validation = validate(env, await freePorts(2));
    expect(validation.stderr + validation.stdout).toBe('');
    expect(validation.status).toBe(0);
  });

  it('starts Patroni with etcd, at the address `hostname -i` gives', async () => {
    const etcd: Server = createServer();
    await new Promise<void>((resolve) => etcd.listen(0, '127.0.0.1', resolve));
    try {
      const port = (etcd.address() as { port: number }).port;
      const { result, env } = entryScript({ PATRONI_SCOPE: 'gatehouse', PATRONI_NAME: 'db1', PATRONI_ETCD3_HOSTS: `127.0.0.1:${port}`, ...SECRETS });
      expect(result.stderr).toBe('');
      const ip = sh('/bin/hostname', ['-i'], {}).stdout.trim().split(/\s+/)[0];
      expect(env.PATRONI_POSTGRESQL_CONNECT_ADDRESS).toBe(`${ip}:5432`);
      expect(env.PATRONI_NAME).toBe('db1');
      // This machine's hostname resolves to loopback, which Patroni rightly refuses; a container's does not.
      const validation = validate({ ...env, PATRONI_POSTGRESQL_CONNECT_ADDRESS: '10.1.2.3:5432', PATRONI_RESTAPI_CONNECT_ADDRESS: '10.1.2.3:8008' }, await freePorts(2));
      expect(validation.stderr + validation.stdout).toBe('');
      expect(validation.status).toBe(0);
    } finally {
      etcd.close();
    }
  });

  it('the validator run above does refuse a broken config', async () => {
    const { env } = entryScript(KUBERNETES);
    const validation = validate({ ...env, PATRONI_POSTGRESQL_CONNECT_ADDRESS: '127.0.0.1:5432' }, await freePorts(2));
    expect(validation.status).not.toBe(0);
    expect(validation.stderr).toMatch(/postgresql\.connect_address/);
  });

  it.each(['PATRONI_SCOPE', ...Object.keys(SECRETS), 'PATRONI_KUBERNETES_POD_IP'])('refuses to start without %s, naming it', (name) => {
    const env: Record<string, string> = { ...KUBERNETES };
    delete env[name];
    const { result, args } = entryScript(env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(name);
    expect(args).toEqual([]);
  });

  it('refuses to start with no DCS configured', () => {
    const { PATRONI_KUBERNETES_NAMESPACE: _ns, PATRONI_KUBERNETES_LABELS: _l, PATRONI_KUBERNETES_POD_IP: _ip, ...env } = KUBERNETES;
    const { result } = entryScript(env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/PATRONI_ETCD3_HOSTS.*PATRONI_KUBERNETES_NAMESPACE/);
  });
});

describe('the gatehouse role and database scripts, on a real PostgreSQL', () => {
  let server: PostgresServer;
  let socket: string;
  const nasty = `it's "quoted" \\ :'pw' $HOME; DROP ROLE postgres; --`;

  const superuser = () => postgres({ host: socket, port: server.port, user: 'postgres', database: 'postgres', max: 1, onnotice: () => {} });
  const appLogin = async (password: string) => {
    const sql = postgres({ host: '127.0.0.1', port: server.port, user: DB_ROLES.app, password, database: 'gatehouse', max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ user: string; db: string }[]>`select current_user as user, current_database() as db`;
      return row;
    } finally {
      await sql.end({ timeout: 5 });
    }
  };
  const scriptEnv = (password: string) => ({ PGHOST: socket, PGPORT: String(server.port), GATEHOUSE_DB_PASSWORD: password, GATEHOUSE_APP_DB_SQL: SQL });

  beforeAll(async () => {
    server = await startPostgres({ name: 'db-image' });
    socket = join(dirname(server.dataDir), 'sock');
    // The harness makes role and database gatehouse itself; these scripts must create them.
    const sql = superuser();
    try {
      await sql`drop database gatehouse`;
      await sql`drop role gatehouse`;
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('initdb-app-db.sh creates a login role, not a superuser, owning database gatehouse', async () => {
    const r = sh(join(DB_DIR, 'initdb-app-db.sh'), [], scriptEnv(nasty));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(await appLogin(nasty)).toEqual({ user: 'gatehouse', db: 'gatehouse' });
    const sql = superuser();
    try {
      const [role] = await sql`select rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = 'gatehouse'`;
      expect(role).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false });
      const [db] = await sql`select pg_get_userbyid(datdba) as owner from pg_database where datname = 'gatehouse'`;
      expect(db).toEqual({ owner: 'gatehouse' });
      expect(await sql`select 1 from pg_roles where rolname = 'postgres'`).toHaveLength(1);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it("gatehouse-post-bootstrap (Patroni's connection string as $1) runs again harmlessly, setting the new password", async () => {
    const r = sh(join(DB_DIR, 'gatehouse-post-bootstrap'), [`host=${socket} port=${server.port} user=postgres dbname=postgres`], scriptEnv('second-password'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(await appLogin('second-password')).toEqual({ user: 'gatehouse', db: 'gatehouse' });
    await expect(appLogin(nasty)).rejects.toThrow(/password authentication failed/);
  });

  it('both refuse an empty password', () => {
    for (const script of ['initdb-app-db.sh', 'gatehouse-post-bootstrap']) {
      const r = sh(join(DB_DIR, script), ['dbname=postgres'], scriptEnv(''));
      expect(r.status, script).toBe(1);
      expect(r.stderr, script).toContain('GATEHOUSE_DB_PASSWORD');
    }
  });
});
