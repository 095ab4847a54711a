import type { StatusReport } from './types.js';

/** One chart's numbers: a count per minute, oldest first. */
export interface TrafficSeries {
  id: string;
  title: string;
  values: number[];
}

/** Something that happened in a minute of the hour, marked on every chart. */
export interface MinuteMark {
  index: number;
  label: string;
}

/** The last hour, minute by minute, as the charts and the terminal draw it. */
export interface TrafficCharts {
  /** Each minute's start, ISO, oldest first. */
  minutes: string[];
  series: TrafficSeries[];
  /** Minutes with 5xx answers: a failover's 503s show here. */
  errorMinutes: number[];
  /** Minutes in which the primary changed. */
  primaryChanges: MinuteMark[];
}

const MINUTE_MS = 60_000;
/** Auth events charted, from the Back End's auth_events counts. */
const AUTH_SERIES = [
  { id: 'logins', title: 'Logins', event: 'login_success' },
  { id: 'failed-logins', title: 'Failed logins', event: 'login_failure' },
  { id: 'lockouts', title: 'Lockouts', event: 'lockout' },
] as const;

type Source = Pick<StatusReport, 'traffic' | 'backEnd' | 'primaryChanges'>;

/** The charts' model from a report (or /status.json): pure, no drawing. */
export function trafficChartsOf({ traffic, backEnd, primaryChanges }: Source): TrafficCharts {
  const minutes = traffic.map((m) => m.minute);
  const events = new Map((backEnd.ok ? backEnd.status.authEventsPerMinute : []).map((m) => [Date.parse(m.minute), m.counts]));
  const series: TrafficSeries[] = [
    { id: 'requests', title: 'Requests', values: traffic.map((m) => m.requests) },
    { id: '4xx', title: '4xx answers', values: traffic.map((m) => m.clientErrors) },
    { id: '5xx', title: '5xx answers', values: traffic.map((m) => m.serverErrors) },
    ...AUTH_SERIES.map(({ id, title, event }) => ({ id, title, values: minutes.map((m) => events.get(Date.parse(m))?.[event] ?? 0) })),
  ];
  const errorMinutes = traffic.flatMap((m, i) => (m.serverErrors > 0 ? [i] : []));
  const marks = changesOf(backEnd, primaryChanges).flatMap((c) => {
    const index = minutes.findIndex((m) => Date.parse(c.at) - Date.parse(m) < MINUTE_MS && Date.parse(c.at) >= Date.parse(m));
    return index < 0 ? [] : [{ index, label: c.label }];
  });
  return { minutes, series, errorMinutes, primaryChanges: marks };
}

/** A reading this close to a promotion in Patroni's history is that promotion, seen late. */
const SAME_CHANGE_MS = 2 * MINUTE_MS;

/**
 * When the primary changed: Patroni's timeline history when the Back End could read it (it
 * knows the moment, watched or not), and what this Front End's readings saw that the history
 * does not have (no Patroni, or a promotion it has not recorded yet), oldest first.
 */
export function changesOf(backEnd: Source['backEnd'], readings: Source['primaryChanges']): { at: string; label: string }[] {
  const promotions = (backEnd.ok ? backEnd.status.database.promotions : undefined) ?? [];
  const fromHistory = promotions.map((p) => ({ at: p.at, label: `primary → ${p.node ?? `timeline ${p.timeline}`}` }));
  const unrecorded = readings.filter((r) => !promotions.some((p) => Math.abs(Date.parse(p.at) - Date.parse(r.at)) < SAME_CHANGE_MS));
  const fromReadings = unrecorded.map((c) => ({ at: c.at, label: `primary → ${c.to}` }));
  return [...fromHistory, ...fromReadings].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** "HH:MM" of an ISO minute. */
export const clock = (iso: string) => iso.slice(11, 16);
