import { changesOf, clock } from './traffic-series.js';
import type { Replica, Section, StatusReport } from './types.js';

export type { Section } from './types.js';


type Facts = Omit<StatusReport, 'sections'>;

export function toSections(facts: Facts): Section[] {
  return [tiersSection(facts), databaseSection(facts), brokerSection(facts), trafficSection(facts), eventsSection(facts)];
}

function tiersSection({ tiers }: Facts): Section {
  const rows = tiers.flatMap((t) => (t.replicas.length ? t.replicas : [{ id: '-', health: '-', detail: '' }]).map((r) => [t.name, t.health, r.id, r.health, detailOf(r)]));
  const notes = tiers.filter((t) => t.note).map((t) => `${t.name}: ${t.note}`);
  return { id: 'tiers', title: 'Tiers and replicas', columns: ['Tier', 'Tier health', 'Replica', 'Health', 'Detail'], rows, ...(notes.length ? { note: notes.join(' · ') } : {}) };
}

/** The table's text for a replica: its detail and whatever the picture marks on it. */
function detailOf(replica: Replica): string {
  return [replica.detail, ...(replica.marks ?? []).filter((m) => !replica.detail.includes(m))].filter(Boolean).join('; ');
}

function databaseSection({ backEnd }: Facts): Section {
  const columns = ['Node', 'Role', 'State', 'Host', 'Lag (bytes)', 'Lag (s)'];
  if (!backEnd.ok) return { id: 'database', title: 'Database', note: `unavailable: ${backEnd.reason}`, columns, rows: [] };
  const db = backEnd.status.database;
  const rows = db.nodes.map((n) => [n.name, n.role, n.state ?? '', n.host ?? '', lag(n.role, n.lagBytes), lag(n.role, n.lagSeconds)]);
  const note = [`primary: ${db.primary ?? 'none found'}`, `from ${db.source}`, db.note].filter(Boolean).join(' · ');
  return { id: 'database', title: 'Database', note, columns, rows };
}

function brokerSection({ broker }: Facts): Section {
  const columns = ['Queue', 'Type', 'Depth', 'Ready', 'Unacked', 'Consumers', 'Leader', 'Members online'];
  if (!broker.available) return { id: 'broker', title: 'Messaging (RabbitMQ)', note: `unavailable: ${broker.reason}`, columns, rows: [] };
  const q = broker.queue;
  const rows = q ? [[q.name, q.type, String(q.messages), String(q.ready), String(q.unacknowledged), String(q.consumers), q.leader ?? '', q.online ? `${q.online.length}/${q.members?.length ?? q.online.length}` : '']] : [];
  const nodes = broker.nodes.map((n) => `${n.name} ${n.running ? 'running' : 'down'}${n.alarms.length ? ` (alarm: ${n.alarms.join(', ')})` : ''}`);
  return { id: 'broker', title: 'Messaging (RabbitMQ)', note: `nodes: ${nodes.join(', ')}${q ? '' : ' · the request queue does not exist yet'}`, columns, rows };
}

function trafficSection({ traffic, backEnd, primaryChanges }: Facts): Section {
  const events = new Map((backEnd.ok ? backEnd.status.authEventsPerMinute : []).map((m) => [m.minute, m.counts]));
  const rows = traffic.map((m) => {
    const counts = events.get(m.minute) ?? {};
    const n = (event: string) => String(counts[event] ?? 0);
    return [m.minute.slice(11, 16), String(m.requests), String(m.clientErrors), String(m.serverErrors), n('login_success'), n('login_failure'), n('register'), n('lockout')];
  });
  // The charts show the whole hour; the table, their text alternative, leaves out the quiet minutes.
  const busy = rows.filter((row) => row.slice(1).some((cell) => cell !== '0'));
  const changes = changesOf(backEnd, primaryChanges).map((c) => `${clock(c.at)} UTC: ${c.label}`);
  return {
    id: 'traffic',
    title: 'Requests and errors per minute',
    note: ['last hour, quiet minutes left out; requests and errors: this Front End; auth events: the whole system (from auth_events)', ...changes].join(' · '),
    columns: ['Minute (UTC)', 'Requests', '4xx', '5xx', 'Logins', 'Failed logins', 'Registrations', 'Lockouts'],
    rows: busy,
  };
}

function eventsSection({ backEnd }: Facts): Section {
  const columns = ['Time (UTC)', 'Event', 'Email', 'IP'];
  if (!backEnd.ok) return { id: 'events', title: 'Recent auth events', note: `unavailable: ${backEnd.reason}`, columns, rows: [] };
  const rows = backEnd.status.authEvents.map((e) => [e.at.replace('T', ' ').slice(0, 19), e.event, e.email, e.ip ?? '']);
  return { id: 'events', title: 'Recent auth events', columns, rows, ...(rows.length ? {} : { note: 'none yet' }) };
}

function lag(role: string, value: number | null | undefined): string {
  if (role === 'primary') return '';
  return value === null || value === undefined ? 'unknown' : String(Math.round(value * 1000) / 1000);
}
