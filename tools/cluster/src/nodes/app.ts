import { join } from 'node:path';
import { answers } from '../http.js';
import { logFile, REPO_ROOT, type ClusterPlan, type NodeSpec } from '../plan.js';
import type { ClusterSecrets } from '../secrets.js';
import { APP_DATABASE, BACK_END_BROKER_USER, DB_ROLES, FRONT_END_BROKER_USER, MAILER_BROKER_USER, MONITOR_BROKER_USER } from '@gatehouse/operations';
import { spawnDetached, waitUntil } from '../processes.js';
import { HOST, type ClusterContext, type NodeDriver } from './context.js';
import { etcdClientUrl } from './etcd.js';
import { patroniUrl } from './patroni-config.js';
import { managementUrl } from './rabbitmq.js';
import { singleProcess } from './simple-process.js';


/** The three brokers, as the given tier's own broker user: each tier may do only its part. */
export type AppKind = 'front-end' | 'back-end' | 'mailer';

export function amqpUrls(plan: ClusterPlan, secrets: ClusterSecrets, tier: AppKind): string {
  const users: Record<AppKind, [string, string]> = {
    'front-end': [FRONT_END_BROKER_USER, secrets.rabbitmqFrontEnd],
    'back-end': [BACK_END_BROKER_USER, secrets.rabbitmqBackEnd],
    mailer: [MAILER_BROKER_USER, secrets.rabbitmqMailer],
  };
  const [user, password] = users[tier];
  return plan.ports.rabbitmq.map((p) => `amqp://${user}:${password}@${HOST}:${p.amqp}`).join(',');
}

const databaseUrl = (secrets: ClusterSecrets, port: number) => `postgres://${DB_ROLES.app}:${secrets.postgresApp}@${HOST}:${port}/${APP_DATABASE}`;

/** The address a Front End, Back End or Mailer answers /readyz on. */
export function readyUrl(plan: ClusterPlan, node: NodeSpec): string {
  const ports = { 'front-end': plan.ports.frontEnds, mailer: plan.ports.mailerHealth }[node.kind as string] ?? plan.ports.backEndHealth;
  const port = ports[node.index]!;
  return `http://${HOST}:${port}/readyz`;
}

/** What the cluster itself decides for each tier; everything else may come from the caller's environment. */
export function ownSettings(ctx: ClusterContext, node: NodeSpec): Record<string, string> {
  const { plan, secrets } = ctx;
  const common = { AMQP_URL: amqpUrls(plan, secrets, node.kind as AppKind), REQUEST_QUEUE_MODE: 'quorum' };
  if (node.kind === 'mailer') return { ...common, ...mailerSettings(ctx, node) };
  if (node.kind === 'front-end') {
    return { ...common, HOST, PORT: String(plan.ports.frontEnds[node.index]), SESSION_SECRET: secrets.sessionSecret, ...statusSettings(ctx) };
  }
  return {
    ...common,
    DATABASE_URL: databaseUrl(secrets, plan.ports.dbReadWrite),
    DATABASE_READ_URL: databaseUrl(secrets, plan.ports.dbReadOnly),
    HEALTH_HOST: HOST,
    HEALTH_PORT: String(plan.ports.backEndHealth[node.index]),
    PATRONI_URLS: plan.ports.postgres.map((_, i) => patroniUrl(plan, i)).join(','),
    // For /status's picture: the etcd members Patroni relies on, and what HAProxy routes where.
    ETCD_URLS: plan.ports.etcd.map((_, i) => etcdClientUrl(plan, i)).join(','),
    HAPROXY_STATS_URL: `http://admin:${encodeURIComponent(secrets.haproxyStats)}@${HOST}:${plan.ports.stats}/`,
  };
}

/**
 * A Mailer sends to the cluster's SMTP catcher unless `up` was given an SMTP_URL of its own, and
 * its links point at the load balancer, where users open the app.
 */
function mailerSettings({ plan, settings }: ClusterContext, node: NodeSpec): Record<string, string> {
  return {
    SMTP_URL: settings.SMTP_URL ?? `smtp://${HOST}:${plan.ports.smtp}`,
    PUBLIC_URL: settings.PUBLIC_URL ?? `http://${HOST}:${plan.ports.app}`,
    HEALTH_HOST: HOST,
    HEALTH_PORT: String(plan.ports.mailerHealth[node.index]),
  };
}

/** What a Front End's /status needs: the admin token, and every broker node's management API as the monitoring user. */
function statusSettings({ plan, secrets }: ClusterContext): Record<string, string> {
  return {
    ADMIN_TOKEN: secrets.adminToken,
    RABBITMQ_MANAGEMENT_URL: plan.ports.rabbitmq.map((_, i) => managementUrl(plan, i)).join(','),
    RABBITMQ_MONITOR_USER: MONITOR_BROKER_USER,
    RABBITMQ_MONITOR_PASSWORD: secrets.rabbitmqMonitor,
  };
}

/** A Front End, Back End or Mailer, run from this checkout's TypeScript with tsx as Node's loader (one process, no wrapper). */
export const app: NodeDriver = {
  async start(ctx: ClusterContext, node: NodeSpec) {
    const script = join(REPO_ROOT, 'services', node.kind, 'src', 'main.ts');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', ...ctx.settings, ...ownSettings(ctx, node) };
    const log = logFile(ctx.plan, node.name);
    const record = spawnDetached(process.execPath, ['--conditions=gatehouse-source', '--import', 'tsx', script], { env, cwd: REPO_ROOT, logFile: log });
    ctx.processes.set(node.name, record);
    await waitUntil(`${node.name} did not become ready`, () => answers(readyUrl(ctx.plan, node)), {
      timeoutMs: 90_000,
      process: record,
      logFile: log,
    });
  },
  async stop(ctx: ClusterContext, node: NodeSpec) {
    // A Front End drains for SHUTDOWN_DRAIN_MS before it closes.
    await singleProcess.stop(ctx, node, 30_000);
  },
  kill: singleProcess.kill,
  processes: singleProcess.processes,
};
