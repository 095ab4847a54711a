import { z } from 'zod';

/**
 * SYSTEM_STATUS: what a Back End can tell an operator about the database and recent logins,
 * for the Front End's /status page (the Front End talks only to Messaging, never to PostgreSQL).
 */

/** The most auth events one SYSTEM_STATUS reply carries. */
export const MAX_STATUS_EVENTS = 50;

/** One database node as Patroni or PostgreSQL reports it. */
export const databaseNodeSchema = z.looseObject({
  name: z.string(),
  role: z.string(),
  state: z.string().optional(),
  host: z.string().optional(),
  /** Bytes of WAL the standby has still to replay; null when the source does not say. */
  lagBytes: z.number().nullable().optional(),
  /** Seconds behind the primary (pg_stat_replication's replay_lag); null when unknown. */
  lagSeconds: z.number().nullable().optional(),
});

/** A standby promoted to primary (a failover or a switchover), from Patroni's timeline history. */
export const databasePromotionSchema = z.looseObject({
  at: z.string(),
  /** The timeline the new primary started. */
  timeline: z.number(),
  /** The new primary, when Patroni says (2.1 and later). */
  node: z.string().optional(),
});

/** A server the database tier leans on without being PostgreSQL: an etcd member (Patroni's DCS), the HAProxy in front. */
export const infrastructureNodeSchema = z.looseObject({
  name: z.string(),
  kind: z.string(),
  /** etcd: leader or member; HAProxy: load balancer. */
  role: z.string(),
  /** running, or what is wrong: not answering, no leader. */
  state: z.string(),
  /** Short facts for the picture: where the writes go. */
  facts: z.array(z.string()).optional(),
});

export const databaseStatusSchema = z.looseObject({
  /** Where the facts come from: Patroni's REST API, the primary's pg_stat_replication, or the embedded database. */
  source: z.enum(['patroni', 'pg_stat_replication', 'embedded']),
  /** The primary's name, or undefined when none could be found. */
  primary: z.string().optional(),
  nodes: z.array(databaseNodeSchema),
  /** Plain words for what could not be read, or "no standbys". */
  note: z.string().optional(),
  /** Recent promotions, oldest first (Patroni only; optional, so older Back Ends still parse). */
  promotions: z.array(databasePromotionSchema).optional(),
  /** etcd and HAProxy, where the Back End was told their addresses (ETCD_URLS, HAPROXY_STATS_URL). */
  infrastructure: z.array(infrastructureNodeSchema).optional(),
});

export const authEventSummarySchema = z.looseObject({
  at: z.string(),
  event: z.string(),
  /** Masked: the first character of the local part and the domain. */
  email: z.string(),
  ip: z.string().nullable(),
});

export const systemStatusSchema = z.looseObject({
  backEnd: z.looseObject({ instance: z.string(), startedAt: z.string() }),
  database: databaseStatusSchema,
  authEvents: z.array(authEventSummarySchema),
  /** Auth events per kind in each of the last minutes, oldest first: the whole system's login traffic. */
  authEventsPerMinute: z.array(z.looseObject({ minute: z.string(), counts: z.record(z.string(), z.number()) })),
});

export type DatabaseNode = z.infer<typeof databaseNodeSchema>;
export type DatabaseStatus = z.infer<typeof databaseStatusSchema>;
export type InfrastructureNode = z.infer<typeof infrastructureNodeSchema>;
export type DatabasePromotion = z.infer<typeof databasePromotionSchema>;
export type AuthEventSummary = z.infer<typeof authEventSummarySchema>;
export type SystemStatus = z.infer<typeof systemStatusSchema>;

/** `a***@example.com`: enough for an operator to tell events apart, not a list of addresses. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`;
}
