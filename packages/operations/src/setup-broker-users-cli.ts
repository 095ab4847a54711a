/**
 * One-shot: creates the per-tier broker users once the RabbitMQ cluster has formed. Run by
 * docker compose and Kubernetes (from the Back End image) before the tiers start; the local
 * cluster calls applyBrokerUsers itself. Exit codes: 0 done, 1 failed, 2 bad configuration.
 */
import { z } from 'zod';
import { ConfigError, env, parseEnv } from '@gatehouse/runtime';
import { applyBrokerUsers } from './apply-broker-users.js';

const schema = z.object({
  RABBITMQ_MANAGEMENT_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL, e.g. http://messaging:15672' }),
  RABBITMQ_ADMIN_USER: z.string().regex(/^[\w.-]{1,64}$/, 'must be a user name').default('admin'),
  RABBITMQ_ADMIN_PASSWORD: env.secret(16),
  FRONT_END_AMQP_PASSWORD: env.secret(16),
  BACK_END_AMQP_PASSWORD: env.secret(16),
  // Optional: the monitoring user the Front End's /status reads the management API as.
  MONITOR_AMQP_PASSWORD: env.secret(16).optional(),
  // Optional: the Mailers' user (services/mailer).
  MAILER_AMQP_PASSWORD: env.secret(16).optional(),
  RABBITMQ_EXPECTED_NODES: env.integer(1, 99, 1),
  REQUEST_QUEUE: env.queueName(),
  MAIL_QUEUE: env.queueName('mail'),
});

try {
  const e = parseEnv(schema, process.env, 'broker user setup');
  await applyBrokerUsers({
    managementUrl: e.RABBITMQ_MANAGEMENT_URL.replace(/\/$/, ''),
    admin: { user: e.RABBITMQ_ADMIN_USER, password: e.RABBITMQ_ADMIN_PASSWORD },
    frontEndPassword: e.FRONT_END_AMQP_PASSWORD,
    backEndPassword: e.BACK_END_AMQP_PASSWORD,
    ...(e.MONITOR_AMQP_PASSWORD ? { monitorPassword: e.MONITOR_AMQP_PASSWORD } : {}),
    ...(e.MAILER_AMQP_PASSWORD ? { mailerPassword: e.MAILER_AMQP_PASSWORD } : {}),
    expectedNodes: e.RABBITMQ_EXPECTED_NODES,
    requestQueue: e.REQUEST_QUEUE,
    mailQueue: e.MAIL_QUEUE,
  });
  const optional = [e.MONITOR_AMQP_PASSWORD && 'gatehouse-monitor', e.MAILER_AMQP_PASSWORD && 'gatehouse-mailer'].filter(Boolean);
  console.log(`broker users ready: ${['gatehouse-front-end', 'gatehouse-back-end', ...optional].join(', ')}`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(err instanceof ConfigError ? 2 : 1);
}
