import { hostname } from 'node:os';
import { authEventsPerMinute, recentEvents } from '@gatehouse/database';
import { maskEmail, type Reply, type RequestOf, type SystemStatus } from '@gatehouse/protocol';
import { databaseStatus } from '../status/database-status.js';
import type { HandlerContext } from './context.js';

const INSTANCE = `${hostname()}/${process.pid}`;
const STARTED_AT = new Date().toISOString();
/** Minutes of auth-event counts in a reply: the hour /status charts. */
const MINUTES = 60;

/** SYSTEM_STATUS: the database's topology and lag, and the recent auth events (emails masked), for /status. */
export async function systemStatus(ctx: HandlerContext, { data }: RequestOf<'SYSTEM_STATUS'>): Promise<Reply> {
  const [database, events, perMinute] = await Promise.all([
    databaseStatus(ctx.db, ctx.status),
    data.events === 0 ? [] : ctx.db.primary((sql) => recentEvents(sql, { limit: data.events })),
    ctx.db.primary((sql) => authEventsPerMinute(sql, MINUTES)),
  ]);
  const minutes = new Map<string, Record<string, number>>();
  for (const row of perMinute) {
    const key = row.minute.toISOString();
    minutes.set(key, { ...minutes.get(key), [row.event]: row.n });
  }
  const status: SystemStatus = {
    backEnd: { instance: INSTANCE, startedAt: STARTED_AT },
    database,
    authEvents: events.map((e) => ({ at: e.at.toISOString(), event: e.event, email: maskEmail(e.email), ip: e.ip })),
    authEventsPerMinute: [...minutes].map(([minute, counts]) => ({ minute, counts })),
  };
  return { success: true, status };
}
