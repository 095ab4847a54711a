import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, ClusterStatus } from '@gatehouse/cluster';
import { FormClient } from '../support/form-client.js';
import { REPO_ROOT } from '../support/service-process.js';
import { appUrl, byKind, cli, cliOk, clusterDir, ensureWhole, openCluster, primaryOf, waitUntilWhole } from './cluster-helpers.js';
import { LOAD_SETTINGS } from './global-setup.js';
import { PASSWORD } from './load.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await openCluster();
  await ensureWhole(cluster);
});

const statusJson = async () => JSON.parse(await cliOk('status', '--json')) as ClusterStatus;

/** Polls `check` every second for up to a minute. */
async function until(check: () => Promise<boolean>, what = 'the cluster to settle'): Promise<void> {
  for (const deadline = Date.now() + 60_000; !(await check()); await sleep(1000)) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
  }
}

/** A whole cluster whose synchronous standby stayed the same node over two looks: Patroni may still be choosing it after a restart. */
async function steadySyncStandby(): Promise<ClusterStatus> {
  let status = await waitUntilWhole(cluster);
  await until(async () => {
    const seen = status.nodes.find((n) => n.syncStandby)?.name;
    await sleep(2000);
    status = await waitUntilWhole(cluster);
    return seen !== undefined && status.nodes.find((n) => n.syncStandby)?.name === seen;
  }, 'a steady synchronous standby');
  return status;
}

describe('npm run cluster', () => {
  it('status --json lists every node with its role, state and PID, and the app URL', async () => {
    await steadySyncStandby();
    const status = await statusJson();
    expect(status.app).toBe(`${appUrl(cluster)}/`);
    expect(status.nodes.map((n) => n.name)).toEqual([
      'etcd1', 'etcd2', 'etcd3', 'pg1', 'pg2', 'pg3', 'rabbit1', 'rabbit2', 'rabbit3', 'haproxy',
      'back-end1', 'back-end2', 'back-end3', 'smtp', 'mailer1', 'mailer2', 'front-end1', 'front-end2', 'front-end3',
    ]);
    for (const node of status.nodes) expect(node).toMatchObject({ state: 'running', pid: expect.any(Number), role: expect.any(String) });
    expect(primaryOf(status)).toHaveLength(1);
    expect(status.nodes.filter((n) => n.kind === 'rabbitmq' && n.role === 'leader')).toHaveLength(1);
    // synchronous_mode: one replica is the synchronous standby, and the table says which.
    expect(status.nodes.filter((n) => n.syncStandby).map((n) => n.role)).toEqual(['replica']);
    const sync = status.nodes.find((n) => n.syncStandby)!;
    expect((await cliOk('status')).split('\n').find((l) => l.startsWith(`${sync.name} `))).toMatch(/replica \(sync\)/);
  });

  it('a second up changes nothing, reprints the addresses, and refuses an --app-port it cannot apply', async () => {
    const before = (await statusJson()).nodes.map((n) => n.pid);
    const out = await cliOk('up');
    expect(out).toMatch(/already running; nothing changed/);
    expect(out).toContain(`App:                 ${appUrl(cluster)}/`);
    expect(out).toMatch(/eval "\$\(npm run -s cluster -- env admin --data-dir .*\)" && npm run status/);
    const moved = await cli('up', '--app-port', String(cluster.plan.ports.app + 1));
    expect(moved.code).toBe(1);
    expect(moved.stderr).toMatch(/--app-port applies only when a cluster is created/);
    expect((await statusJson()).nodes.map((n) => n.pid)).toEqual(before);
  });

  it('env admin gives npm run status what it needs: eval its lines, and status reads this cluster', async () => {
    const lines = await cliOk('env', 'admin');
    expect(lines).toMatch(new RegExp(`^export GATEHOUSE_URL='${appUrl(cluster)}/'$`, 'm'));
    const status = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        '/bin/sh',
        ['-c', 'eval "$1" && exec "$2" --conditions=gatehouse-source --import tsx services/front-end/src/status/cli.ts --json', 'sh', lines, process.execPath],
        { cwd: REPO_ROOT, env: { PATH: process.env.PATH } },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toBeTypeOf('object');
  });

  it('keeps generated secrets private, creates no guest user, and passes settings through to the services', async () => {
    expect(statSync(join(clusterDir(), 'secrets.json')).mode & 0o777).toBe(0o600);
    const { secrets, plan } = cluster.ctx;
    const users = await fetch(`http://127.0.0.1:${plan.ports.rabbitmq[0]!.management}/api/users`, {
      headers: { authorization: `Basic ${Buffer.from(`admin:${secrets.rabbitmqAdmin}`).toString('base64')}` },
    }).then((r) => r.json() as Promise<{ name: string; tags: string[] | string }[]>);
    expect(users.map((u) => u.name).sort()).toEqual(['admin', 'gatehouse-back-end', 'gatehouse-front-end', 'gatehouse-mailer', 'gatehouse-monitor']);
    // The status page's user reads the management API and nothing else.
    expect([users.find((u) => u.name === 'gatehouse-monitor')!.tags].flat().join(',')).toBe('monitoring');
    const frontEnd = (await statusJson()).nodes.find((n) => n.name === 'front-end1')!;
    const environ = readFileSync(`/proc/${frontEnd.pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`RATE_LIMIT_PER_MINUTE=${LOAD_SETTINGS.RATE_LIMIT_PER_MINUTE}`);
    expect(environ).toContain(`SESSION_SECRET=${secrets.sessionSecret}`);
    expect(environ).toContain(`ADMIN_TOKEN=${secrets.adminToken}`);
    // The Mailers get the settings meant for them (the chaos suite's short lease) and send to the catcher.
    const mailer = (await statusJson()).nodes.find((n) => n.name === 'mailer1')!;
    const mailerEnviron = readFileSync(`/proc/${mailer.pid}/environ`, 'utf8').split('\0');
    expect(mailerEnviron).toContain(`MAIL_LEASE_SECONDS=${LOAD_SETTINGS.MAIL_LEASE_SECONDS}`);
    expect(mailerEnviron).toContain(`SMTP_URL=smtp://127.0.0.1:${plan.ports.smtp}`);
  });

  it('mail lists what the SMTP catcher kept: a reset link sent through the Mailers', async () => {
    const email = `cli-mail-${Date.now()}@chaos.example`;
    expect((await new FormClient(appUrl(cluster)).submit('/register', { email, password: PASSWORD })).status).toBe(303);
    expect((await new FormClient(appUrl(cluster)).submit('/forgot-password', { email })).status).toBe(200);
    await expect.poll(async () => cliOk('mail'), { timeout: 30_000, interval: 1000 }).toContain(`${email}: Reset your Gatehouse password`);
    // The address got its verification link first (EMAIL_VERIFICATION=optional); the reset is the one asked for.
    const [mail] = (JSON.parse(await cliOk('mail', '--json')) as { to: string[]; subject: string; link?: string }[]).filter((m) => m.to.includes(email) && m.subject.startsWith('Reset'));
    expect(mail!.link).toMatch(new RegExp(`^${appUrl(cluster)}/reset-password\\?token=`));
  });

  it('stop and start bring one node down and up; switchover moves the primary', async () => {
    await cliOk('stop', 'back-end1');
    expect((await statusJson()).nodes.find((n) => n.name === 'back-end1')).toMatchObject({ state: 'stopped', pid: null });
    await cliOk('start', 'back-end1');
    expect((await statusJson()).nodes.find((n) => n.name === 'back-end1')?.state).toBe('running');
    const [before] = primaryOf(await statusJson());
    expect(await cliOk('switchover')).toMatch(/The primary is now pg\d/);
    await waitUntilWhole(cluster);
    expect(primaryOf(await statusJson())[0]!.name).not.toBe(before!.name);
  });

  it('kill names the node by role, and says when no failover follows', async () => {
    const before = await statusJson();
    const replica = byKind(before, 'postgres').find((n) => n.role === 'replica' && !n.syncStandby)!;
    const [primary] = primaryOf(before);
    expect(await cliOk('kill', replica.name)).toMatch(new RegExp(`^${replica.name} killed\\. It was a replica, so no failover follows: ${primary!.name} stays the primary`));
    await cliOk('start', replica.name);
    await waitUntilWhole(cluster);
    const leader = byKind(await statusJson(), 'rabbitmq').find((n) => n.role === 'leader')!;
    expect(await cliOk('kill', 'queue-leader')).toMatch(new RegExp(`^${leader.name} killed\\. It led the request queue`));
    await cliOk('start', leader.name);
    await waitUntilWhole(cluster);
    expect(await cliOk('kill', 'primary')).toMatch(new RegExp(`^${primary!.name} killed\\. It was the primary: .*Patroni promotes the synchronous standby`));
    // Started again before its leader key expires, it would find the key still its own and lead on.
    await until(async () => primaryOf(await statusJson()).some((n) => n.name !== primary!.name && n.state === 'running'));
    await cliOk('start', primary!.name);
    const after = await waitUntilWhole(cluster);
    expect(primaryOf(after)[0]!.name).not.toBe(primary!.name);
  });

  it('switchover refuses a node that does not exist, and an asynchronous replica, saying how to make it eligible', async () => {
    const status = await steadySyncStandby();
    const sync = status.nodes.find((n) => n.syncStandby)!;
    const other = byKind(status, 'postgres').find((n) => n.role === 'replica' && !n.syncStandby)!;
    const missing = await cli('switchover', '--to', 'pg9');
    expect([missing.code, missing.stderr]).toEqual([1, 'cluster: there is no node pg9: the PostgreSQL nodes are pg1, pg2, pg3\n']);
    const refused = await cli('switchover', '--to', other.name);
    expect(refused.stderr).toMatch(new RegExp(`only the synchronous standby, ${sync.name}, can take over now[^]*To make ${other.name} eligible, stop ${sync.name}`));
    expect(refused.stderr).not.toMatch(/sync_standby/);
    expect(refused.code).toBe(1);
    expect(primaryOf(await statusJson())[0]!.name).toBe(primaryOf(status)[0]!.name);
    // The advice works: with the synchronous standby stopped, the other replica becomes it and may take over.
    await cliOk('stop', sync.name);
    await until(async () => (await statusJson()).nodes.some((n) => n.name === other.name && n.syncStandby));
    expect(await cliOk('switchover', '--to', other.name)).toMatch(`The primary is now ${other.name}`);
    await cliOk('start', sync.name);
    await waitUntilWhole(cluster);
  });

  it('refuses bad arguments with a clear message and a non-zero exit', async () => {
    const cases: [string[], number, RegExp][] = [
      [['frobnicate'], 2, /unknown command "frobnicate"/],
      [['kill'], 2, /needs a node name/],
      [['kill', 'pg9'], 1, /no node named "pg9"/],
      [['start', 'pg1'], 1, /pg1 is already running/],
      [['status', '--colour'], 2, /Unknown option '--colour'/],
    ];
    for (const [args, code, message] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('down, then up again, keeps every registration', async () => {
    const email = `restart-${randomUUID()}@example.com`;
    expect((await new FormClient(appUrl(cluster)).submit('/register', { email, password: PASSWORD })).status).toBe(303);
    await cliOk('down');
    const stopped = await cli('status');
    expect([stopped.code, stopped.stdout]).toEqual([3, `The cluster in ${clusterDir()} is stopped: no node runs. "npm run cluster -- up" starts it.\n`]);
    const json = await cli('status', '--json');
    expect(json.code).toBe(3);
    expect((JSON.parse(json.stdout) as ClusterStatus).nodes.every((n) => n.state === 'stopped')).toBe(true);
    await cliOk('up');
    await waitUntilWhole(cluster);
    expect((await new FormClient(appUrl(cluster)).submit('/login', { email, password: PASSWORD })).status).toBe(303);
  });
});
