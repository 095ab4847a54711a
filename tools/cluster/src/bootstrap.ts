import postgres from 'postgres';
import { APP_DATABASE, applyBrokerUsers } from '@gatehouse/operations';
import { HOST, type ClusterContext } from './nodes/context.js';
import { patroniState } from './nodes/patroni.js';
import { managementUrl, RABBIT_ADMIN } from './nodes/rabbitmq.js';
import { waitUntil } from './processes.js';

/** Resolves once a primary runs with `standbys` standbys streaming from it, one of them synchronous. */
export async function waitForReplication(ctx: ClusterContext, running: number[], standbys: number): Promise<void> {
  await waitUntil(
    `PostgreSQL: no primary with ${standbys} streaming standby(s)`,
    async () => {
      for (const i of running) {
        const state = await patroniState(ctx.plan, i);
        if (state?.role !== 'master' && state?.role !== 'primary') continue;
        const streaming = (state.replication ?? []).filter((r) => r.state === 'streaming');
        return streaming.length >= standbys && (standbys === 0 || streaming.some((r) => r.sync_state === 'sync'));
      }
      return false;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
}

/** Creates the `gatehouse` role and database through the read/write port, once. */
export async function ensureAppDatabase(ctx: ClusterContext): Promise<void> {
  const { plan, secrets } = ctx;
  const connect = (database: string) =>
    postgres({ host: HOST, port: plan.ports.dbReadWrite, user: 'postgres', password: secrets.postgresSuperuser, database, max: 1, onnotice: () => undefined, connect_timeout: 5 });
  await waitUntil(
    'PostgreSQL: the read/write port did not accept the superuser',
    async () => {
      const sql = connect('postgres');
      try {
        await createRoleAndDatabase(sql, secrets.postgresApp);
        return true;
      } finally {
        await sql.end({ timeout: 2 });
      }
    },
    { timeoutMs: 60_000, intervalMs: 1000 },
  );
}

async function createRoleAndDatabase(sql: postgres.Sql, password: string): Promise<void> {
  // The password travels as a parameter; format(%L) quotes it inside the server.
  await sql.begin(async (tx) => {
    await tx`SELECT set_config('gatehouse.app_password', ${password}, true)`;
    await tx`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gatehouse') THEN
          EXECUTE format('CREATE ROLE gatehouse LOGIN PASSWORD %L', current_setting('gatehouse.app_password'));
        END IF;
      END $$`;
  });
  const [exists] = await sql`SELECT 1 FROM pg_database WHERE datname = ${APP_DATABASE}`;
  if (!exists) await sql`CREATE DATABASE gatehouse OWNER gatehouse`;
}

/** Waits for all RabbitMQ nodes to form one cluster, then creates one user per tier (@gatehouse/operations). */
export async function ensureBrokerUsers(ctx: ClusterContext, nodes: number): Promise<void> {
  const { plan, secrets } = ctx;
  await applyBrokerUsers({
    managementUrl: managementUrl(plan, 0),
    admin: { user: RABBIT_ADMIN, password: secrets.rabbitmqAdmin },
    frontEndPassword: secrets.rabbitmqFrontEnd,
    backEndPassword: secrets.rabbitmqBackEnd,
    monitorPassword: secrets.rabbitmqMonitor,
    mailerPassword: secrets.rabbitmqMailer,
    expectedNodes: nodes,
  });
}
