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
  const marks = primaryChanges.flatMap((c) => {
    const index = minutes.findIndex((m) => Date.parse(c.at) - Date.parse(m) < MINUTE_MS && Date.parse(c.at) >= Date.parse(m));
    return index < 0 ? [] : [{ index, label: `primary → ${c.to}` }];
  });
  return { minutes, series, errorMinutes, primaryChanges: marks };
}

/** "HH:MM" of an ISO minute. */
export const clock = (iso: string) => iso.slice(11, 16);
