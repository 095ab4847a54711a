import { setTimeout as sleep } from 'node:timers/promises';
import type { ScenarioTarget } from '../cluster/scenario.js';
import { dockerOk, type ComposeProject } from './compose-project.js';

// deploy/compose/ha.yml's state, read from inside its containers: Patroni's roles (patronictl),
// the request queue's leader and consumers (rabbitmqctl), every container's health (docker).

export const DB_MEMBERS = ['db1', 'db2', 'db3'] as const;
export const BROKER_NODES = ['messaging-1', 'messaging-2', 'messaging-3'] as const;

interface PatroniMember {
  Member: string;
  Role: string;
  State: string;
}

/** `patronictl list` from the first member that answers. */
export async function patroniMembers(project: ComposeProject): Promise<PatroniMember[]> {
  for (const member of DB_MEMBERS) {
    const r = await project.exec(member, ['patronictl', '-c', '/etc/patroni/patroni.yml', 'list', '-f', 'json'], 20_000).catch(() => undefined);
    if (r?.status === 0) return JSON.parse(r.stdout) as PatroniMember[];
  }
  throw new Error('no Patroni member answers patronictl list');
}

export async function primaryMember(project: ComposeProject): Promise<string> {
  const leaders = (await patroniMembers(project)).filter((m) => m.Role === 'Leader');
  if (leaders.length !== 1) throw new Error(`${leaders.length} Patroni leaders`);
  return leaders[0]!.Member;
}

/** The request queue's leader (a service name, messaging-N) and its consumer count, from the first node that answers. */
export async function requestQueue(project: ComposeProject): Promise<{ leader: string; consumers: number }> {
  for (const node of BROKER_NODES) {
    const r = await project.exec(node, ['rabbitmqctl', '-q', 'list_queues', '--no-table-headers', 'name', 'leader', 'consumers'], 20_000).catch(() => undefined);
    const line = r?.status === 0 ? r.stdout.split('\n').find((l) => l.startsWith('request\t')) : undefined;
    if (line) {
      const [, leader = '', consumers = '0'] = line.split('\t');
      return { leader: leader.replace(/^rabbit@/, ''), consumers: Number(consumers) };
    }
  }
  throw new Error('no RabbitMQ node lists the request queue');
}

/** Runs SQL as postgres on the current primary (db images have psql; the database is not published). */
export async function sqlOnPrimary(project: ComposeProject, query: string): Promise<string[]> {
  const primary = await primaryMember(project);
  const r = await project.exec(primary, ['psql', '-h', '/var/run/postgresql', '-d', 'gatehouse', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', query]);
  if (r.status !== 0) throw new Error(`psql on ${primary}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

/** What is wrong with the demo, or [] when it is whole again. */
export async function problems(project: ComposeProject): Promise<string[]> {
  const found: string[] = [];
  const ids = (await project.ok(['ps', '-a', '-q'])).split('\n').filter(Boolean);
  const states = JSON.parse(await dockerOk(['inspect', ...ids])) as {
    Name: string;
    State: { Status: string; ExitCode: number; Health?: { Status: string } };
  }[];
  for (const c of states) {
    if (c.Name.includes('broker-setup')) {
      if (c.State.Status !== 'exited' || c.State.ExitCode !== 0) found.push(`${c.Name} is ${c.State.Status}`);
    } else if (c.State.Status !== 'running' || (c.State.Health && c.State.Health.Status !== 'healthy')) {
      found.push(`${c.Name} is ${c.State.Status}${c.State.Health ? `, ${c.State.Health.Status}` : ''}`);
    }
  }
  const members = await patroniMembers(project).catch((e: Error) => (found.push(e.message), []));
  const leaders = members.filter((m) => m.Role === 'Leader');
  if (members.length && leaders.length !== 1) found.push(`${leaders.length} primaries`);
  for (const m of members.filter((m) => m.Role !== 'Leader' && m.State !== 'streaming')) found.push(`${m.Member} is ${m.State}`);
  if (members.length && members.length !== 3) found.push(`${members.length} Patroni members`);
  const queue = await requestQueue(project).catch((e: Error) => (found.push(e.message), undefined));
  if (queue && queue.consumers < 3) found.push(`the request queue has ${queue.consumers} consumers`);
  return found;
}

/** Waits until `problems` finds nothing; fails with what is still wrong. */
export async function waitUntilWhole(project: ComposeProject, timeoutMs = 180_000): Promise<void> {
  const started = Date.now();
  let said = '';
  for (;;) {
    const wrong = await problems(project);
    if (wrong.length === 0) return;
    if (Date.now() > started + timeoutMs) throw new Error(`the HA demo is not whole: ${wrong.join('; ')}`);
    // What a slow recovery waits for, once per change, so a long scenario says why.
    if (wrong.join('; ') !== said) console.log(`[ha] ${((Date.now() - started) / 1000).toFixed(0)} s, waiting for: ${(said = wrong.join('; '))}`);
    await sleep(2000);
  }
}

/** The scenario runner's view of the demo (test/cluster/scenario.ts, shared with the chaos suite). */
export function haTarget(project: ComposeProject, appUrl: string): ScenarioTarget {
  return {
    appUrl,
    waitUntilWhole: () => waitUntilWhole(project),
    async storedProblems(acknowledged) {
      const duplicates = await sqlOnPrimary(project, 'SELECT count(*) FROM (SELECT 1 FROM users GROUP BY lower(email) HAVING count(*) > 1) d');
      // Every email the load registers ends so (test/cluster/load.ts); a few hundred rows at most.
      const stored = new Set(await sqlOnPrimary(project, "SELECT lower(email) FROM users WHERE email LIKE '%@chaos.example'"));
      return { duplicates: Number(duplicates[0]), missing: acknowledged.filter((e) => !stored.has(e.toLowerCase())) };
    },
  };
}
