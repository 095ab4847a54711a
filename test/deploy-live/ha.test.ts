import { randomUUID } from 'node:crypto';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOAD_USERS, runScenarioOn, type ScenarioResult, type ScenarioSteps } from '../cluster/scenario.js';
import { freePorts } from '../harness/free-port.js';
import { FormClient } from '../support/form-client.js';
import { ComposeProject, dockerOk, withExtraCa } from './compose-project.js';
import { freshClone, writeEnvAsDocumented } from './fresh-clone.js';
import { haTarget, patroniMembers, primaryMember, requestQueue, sqlOnPrimary, waitUntilWhole } from './ha-cluster.js';
import { expectHardenedImage } from './image-checks.js';

// deploy/compose/ha.yml for real: up from a fresh clone, then, under the chaos suite's steady load
// through the load balancer, SIGKILL of one container at a time. Each comes back by
// its restart policy alone and rejoins; nothing acknowledged may be lost or stored twice.

/** The Front End's RPC timeout (the default): no request may wait longer than this plus a second. */
const RPC_TIMEOUT_MS = 5000;
const PASSWORD = 'correct horse battery staple';

let clone: string;
let project: ComposeProject;
let appUrl: string;

beforeAll(async () => {
  clone = freshClone('gatehouse-ha');
  writeEnvAsDocumented(clone);
  const [app, dbStats, lbStats, maildev] = await freePorts(4);
  // The load comes from one address: the per-IP limit (20 a minute) would refuse it (ha-drill.yml).
  appendFileSync(join(clone, '.env'), `FRONT_END_PORT=${app}\nDB_STATS_PORT=${dbStats}\nLB_STATS_PORT=${lbStats}\nMAILDEV_PORT=${maildev}\n`);
  appUrl = `http://127.0.0.1:${app}`;
  project = new ComposeProject(clone, `gatehouse-ha-${process.pid}`, withExtraCa(['deploy/compose/ha.yml', 'deploy/compose/ha-drill.yml'], 'deploy/compose/ha-build-ca.yml'), ['--env-file', '.env']);
  const started = Date.now();
  const up = await project.run(['up', '--build', '--wait', '--quiet-pull'], 20 * 60_000);
  if (up.status !== 0) throw new Error(`up --build --wait failed:\n${up.stderr.slice(-5000)}\n${(await project.logs()).stdout}`);
  const upSeconds = (Date.now() - started) / 1000;
  await waitUntilWhole(project);
  console.log(`[deploy] ha: up --build --wait took ${upSeconds.toFixed(0)} s, whole (standbys streaming, 3 consumers) after ${((Date.now() - started) / 1000).toFixed(0)} s`);
}, 25 * 60_000);

afterAll(async () => {
  await project?.destroy();
  if (clone) rmSync(clone, { recursive: true, force: true });
}, 5 * 60_000);

/**
 * A crash: SIGKILL to the container's PID 1 (tini) from the host, so everything in it dies at
 * once. Not `docker kill`: Docker counts that as a manual stop and its restart policy then leaves
 * the container down. The restart policy, not the test, must bring it back.
 */
async function kill(service: string): Promise<() => Promise<void>> {
  const before = await project.inspect(service);
  process.kill(before.State.Pid, 'SIGKILL');
  return async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const now = await project.inspect(service);
      if (now.State.Running && now.State.StartedAt !== before.State.StartedAt) return;
      if (Date.now() > deadline) throw new Error(`${service} did not restart by itself (${now.State.Status})`);
      await sleep(500);
    }
  };
}

/** A kill as a scenario: the fault kills, the repair only waits for the restart policy. */
function killScenario(service: () => Promise<string>, observeMs: number): ScenarioSteps & { victim: () => string } {
  let victim = '';
  let restarted: () => Promise<void> = async () => undefined;
  return {
    victim: () => victim,
    fault: async () => {
      victim = await service();
      restarted = await kill(victim);
    },
    observeMs,
    repair: () => restarted(),
  };
}

/** What every kill must show: nothing acknowledged lost, nothing stored twice, only 503s, no long wait. */
function expectNothingLost(result: ScenarioResult, allowedCuts = 0): void {
  expect(result.load.acknowledged.length).toBeGreaterThan(10);
  expect(result.lost).toEqual([]);
  expect(result.duplicates).toBe(0);
  expect(result.figures.unexpected.length, JSON.stringify(result.figures.unexpected.slice(0, 5))).toBeLessThanOrEqual(allowedCuts);
  expect(result.figures.slowestMs, `slowest request took ${result.figures.slowestMs} ms`).toBeLessThanOrEqual(RPC_TIMEOUT_MS + 1000);
}

const run = (name: string, steps: ScenarioSteps) => runScenarioOn(haTarget(project, appUrl), name, steps, 'ha');

describe('the images in ha.yml', () => {
  it.each(['etcd1', 'db1', 'haproxy', 'messaging-1', 'back-end-1', 'front-end-1', 'load-balancer'])(
    '%s: healthy by its own HEALTHCHECK, non-root, tini as PID 1',
    async (service) => {
      await expectHardenedImage(project, service, { readOnly: /^(front|back)-end-/.test(service) });
    },
  );

  it('runs Patroni 4 on etcd v3 (no v2 API), with a synchronous standby', async () => {
    const version = await project.exec('db1', ['patroni', '--version']);
    expect(version.stdout).toMatch(/^patroni 4\./);
    const v2 = await project.exec('etcd1', ['bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/2379 && printf "GET /v2/keys HTTP/1.0\\r\\n\\r\\n" >&3 && head -1 <&3']);
    expect(v2.stdout).toMatch(/404/);
    expect((await patroniMembers(project)).map((m) => m.Role).sort()).toEqual(['Leader', 'Replica', 'Sync Standby']);
  });
});

describe('the client address through the load balancer', () => {
  it('reaches the Front Ends from load-balancer only: a forged X-Forwarded-For is ignored, from a client and from another container', async () => {
    const viaBalancer = `xff-${randomUUID()}@example.com`;
    const page = await new FormClient(appUrl, { 'x-forwarded-for': '203.0.113.7' }).submit('/register', { email: viaBalancer, password: PASSWORD });
    expect(page.status).toBe(303);
    const direct = `xff-${randomUUID()}@example.com`;
    const script = `const base = 'http://front-end-2:3000';
const form = await fetch(base + '/register');
const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
const token = /name="_csrf"\\s+value="([^"]+)"/.exec(await form.text())[1];
const r = await fetch(base + '/register', { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': '203.0.113.9' }, body: new URLSearchParams({ email: '${direct}', password: '${PASSWORD}', _csrf: token }) });
console.log(r.status);`;
    const posted = await project.exec('front-end-1', ['node', '--input-type=module', '-e', script]);
    expect(posted.stdout.trim(), posted.stderr).toBe('303');
    const ipOf = async (email: string) => sqlOnPrimary(project, `SELECT DISTINCT ip FROM auth_events WHERE lower(email) = '${email}'`);
    // The browser's address as the published port hands it over (an address of the web network:
    // its gateway), never the forged one nor the load balancer's own.
    const [seenViaBalancer, ...more] = await ipOf(viaBalancer);
    expect(more).toEqual([]);
    expect(seenViaBalancer).toMatch(/^10\.218\.18\.\d+$/);
    expect(seenViaBalancer).not.toBe('10.218.18.10');
    const peers = Object.values((await project.inspect('front-end-1')).NetworkSettings.Networks).map((n) => n.IPAddress);
    // Straight from another container, the header counts for nothing: the peer's own address is recorded.
    const [seen] = await ipOf(direct);
    expect(peers).toContain(seen);
    expect(seen).not.toBe('203.0.113.9');
  });
});

describe('SIGKILL of a container under load', () => {
  // Docker restarts the crashed container within a second or two, before its leader key (TTL 20 s)
  // expires; Patroni then finds the key still its own and the member leads again after crash
  // recovery. Either way exactly one primary leads two standbys and nothing acknowledged is lost;
  // the failover proper (a standby promoted, the old primary back as a replica) is the freeze below.
  it('the Patroni primary: back by its restart policy, one primary, nothing lost', async () => {
    const steps = killScenario(() => primaryMember(project), 15_000);
    const result = await run('kill the primary', steps);
    expectNothingLost(result);
    const after = await patroniMembers(project);
    const leader = after.find((m) => m.Role === 'Leader')!;
    const victim = after.find((m) => m.Member === steps.victim())!;
    console.log(`[ha] kill the primary: ${victim.Member} came back as ${victim.Role} (${victim.State}); ${leader.Member} leads`);
    if (leader.Member !== victim.Member) expect(victim.Role).toMatch(/Replica|Sync Standby/);
    expect(after.filter((m) => m.Role !== 'Leader').map((m) => m.State)).toEqual(['streaming', 'streaming']);
  });

  it('the RabbitMQ node leading the request queue: another leads it, the node rejoins', async () => {
    const steps = killScenario(async () => (await requestQueue(project)).leader, 12_000);
    const result = await run('kill the queue leader', steps);
    expectNothingLost(result);
    const cluster = await project.exec('messaging-1', ['rabbitmqctl', '-q', 'cluster_status', '--formatter', 'json']);
    expect((JSON.parse(cluster.stdout) as { running_nodes: string[] }).running_nodes).toHaveLength(3);
  });

  it('a Back End: another answers its requests', async () => {
    const result = await run('kill a back end', killScenario(async () => 'back-end-2', 8000));
    expectNothingLost(result);
  });

  it('a Front End: the load balancer stops sending to it; at most the requests in flight fail, with 503', async () => {
    const result = await run('kill a front end', killScenario(async () => 'front-end-3', 8000));
    expectNothingLost(result);
    expect(result.figures.failed).toBeLessThanOrEqual(LOAD_USERS);
  });

  // Patroni 3.0.2 on etcd3 renewed its leader key without a revision check, so a primary frozen past
  // the TTL took the key back on waking and lost its successor's writes. 35 s: longer than Patroni 4's
  // minimum TTL (20 s) plus a loop, so a standby must have taken over before the primary wakes.
  it('a frozen primary (docker pause, 35 s) does not take the leader key back on etcd3 when it wakes', async () => {
    const frozen = await primaryMember(project);
    const id = (await project.inspect(frozen)).Id;
    const result = await run('freeze the primary', {
      fault: () => dockerOk(['pause', id]).then(() => undefined),
      observeMs: 35_000,
      repair: () => dockerOk(['unpause', id]).then(() => undefined),
    });
    expectNothingLost(result);
    expect(await primaryMember(project)).not.toBe(frozen);
    expect((await patroniMembers(project)).find((m) => m.Member === frozen)?.Role).toMatch(/Replica|Sync Standby/);
  });
});

