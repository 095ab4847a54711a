import { setTimeout as sleep } from 'node:timers/promises';
import { httpRequest } from '@gatehouse/runtime';
import {
  backEndPermissions, BACK_END_BROKER_USER, frontEndPermissions, FRONT_END_BROKER_USER, MAILER_BROKER_USER, mailerPermissions, MONITOR_BROKER_TAGS,
  MONITOR_BROKER_USER, monitorPermissions,
  type BrokerPermissions,
} from './broker-users.js';

export interface BrokerUsersPlan {
  /** The management API's base URL, e.g. http://messaging:15672 */
  managementUrl: string;
  admin: { user: string; password: string };
  frontEndPassword: string;
  backEndPassword: string;
  /** When given, the monitoring user for the Front End's /status is created too. */
  monitorPassword?: string;
  /** When given, the Mailer's user (services/mailer) is created too. */
  mailerPassword?: string;
  /** Wait until this many nodes run in the cluster before creating anything. */
  expectedNodes: number;
  requestQueue?: string;
  mailQueue?: string;
  timeoutMs?: number;
}

/** The user that earlier versions shared between the tiers; removed so only per-tier users remain. */
const SHARED_USER = 'gatehouse';

async function call(plan: BrokerUsersPlan, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const answer = await httpRequest(`${plan.managementUrl}${path}`, { method, body, auth: [plan.admin.user, plan.admin.password], timeoutMs: 5000 });
  return { status: answer.status, json: answer.body };
}

async function runningNodes(plan: BrokerUsersPlan): Promise<number> {
  const { status, json } = await call(plan, 'GET', '/api/nodes');
  if (status === 401) throw new Error(`RabbitMQ refused the admin login for user ${plan.admin.user}`);
  return status === 200 ? (json as { running: boolean }[]).filter((n) => n.running).length : 0;
}

async function waitForNodes(plan: BrokerUsersPlan): Promise<void> {
  const deadline = Date.now() + (plan.timeoutMs ?? 120_000);
  for (;;) {
    const running = await runningNodes(plan).catch((err: unknown) => {
      if (err instanceof Error && err.message.startsWith('RabbitMQ refused')) throw err;
      return 0; // not up yet
    });
    if (running >= plan.expectedNodes) return;
    if (Date.now() > deadline) throw new Error(`RabbitMQ: ${plan.expectedNodes} nodes did not form one cluster (${running} running)`);
    await sleep(1000);
  }
}

/**
 * Creates (or updates) one broker user per tier with the permissions in broker-users.ts, once
 * the cluster has formed. Idempotent: every deployment runs it at each start.
 */
export async function applyBrokerUsers(plan: BrokerUsersPlan): Promise<void> {
  await waitForNodes(plan);
  const put = async (path: string, body: unknown) => {
    const { status } = await call(plan, 'PUT', path, body);
    if (status >= 300) throw new Error(`RabbitMQ management API refused PUT ${path} (${status})`);
  };
  const users: [string, string, BrokerPermissions, string][] = [
    [FRONT_END_BROKER_USER, plan.frontEndPassword, frontEndPermissions(), ''],
    [BACK_END_BROKER_USER, plan.backEndPassword, backEndPermissions(plan.requestQueue, plan.mailQueue), ''],
  ];
  if (plan.mailerPassword) users.push([MAILER_BROKER_USER, plan.mailerPassword, mailerPermissions(plan.mailQueue), '']);
  if (plan.monitorPassword) users.push([MONITOR_BROKER_USER, plan.monitorPassword, monitorPermissions(), MONITOR_BROKER_TAGS]);
  for (const [user, password, permissions, tags] of users) {
    await put(`/api/users/${user}`, { password, tags });
    await put(`/api/permissions/%2F/${user}`, permissions);
  }
  await call(plan, 'DELETE', `/api/users/${SHARED_USER}`);
}
