import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connectAmqp } from '@gatehouse/messaging';
import { BACK_END_BROKER_USER, FRONT_END_BROKER_USER, MONITOR_BROKER_USER } from '@gatehouse/operations';
import { deleteBrokerUser } from '../support/rabbit-management.js';
import { spawnService } from '../support/service-process.js';
import { testLogger as logger } from '../support/silent-logger.js';

/**
 * The one-shot that docker compose and Kubernetes run before the tiers start
 * (packages/operations/src/setup-broker-users-cli.ts), against a real broker.
 */

const CLI = 'packages/operations/src/setup-broker-users-cli.ts';
const secret = () => randomBytes(18).toString('base64url');
const passwords = { frontEnd: secret(), backEnd: secret() };

function setupEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    RABBITMQ_MANAGEMENT_URL: `http://127.0.0.1:${inject('amqpManagementPort')}`,
    RABBITMQ_ADMIN_USER: inject('rabbitUser'),
    RABBITMQ_ADMIN_PASSWORD: inject('rabbitPassword'),
    FRONT_END_AMQP_PASSWORD: passwords.frontEnd,
    BACK_END_AMQP_PASSWORD: passwords.backEnd,
    ...overrides,
  };
}

async function run(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawnService(CLI, env);
  const code = await child.exited;
  return { code, output: child.output() };
}

/** Resolves once a connection as `user` opens, or rejects with the broker's refusal. */
async function login(user: string, password: string): Promise<void> {
  const url = new URL(inject('amqpUrl'));
  [url.username, url.password] = [user, password];
  const connection = connectAmqp({ urls: [url.toString()], name: `setup-check-${user}`, logger });
  try {
    await connection.onConnect(5000, true);
  } finally {
    await connection.close();
  }
}

afterAll(async () => {
  await Promise.all([deleteBrokerUser(FRONT_END_BROKER_USER), deleteBrokerUser(BACK_END_BROKER_USER), deleteBrokerUser(MONITOR_BROKER_USER)]);
});

describe('setup-broker-users (the compose and Kubernetes one-shot)', () => {
  it('creates both tier users, and running it again changes nothing', async () => {
    for (let i = 0; i < 2; i++) {
      const { code, output } = await run(setupEnv());
      expect(code, output).toBe(0);
      expect(output).toMatch(/broker users ready/);
    }
    await expect(login(FRONT_END_BROKER_USER, passwords.frontEnd)).resolves.toBeUndefined();
    await expect(login(BACK_END_BROKER_USER, passwords.backEnd)).resolves.toBeUndefined();
    await expect(login(FRONT_END_BROKER_USER, passwords.backEnd)).rejects.toThrow();
  });

  it('creates the monitoring user for /status when MONITOR_AMQP_PASSWORD is set, and it can read the management API', async () => {
    const monitor = secret();
    const { code, output } = await run(setupEnv({ MONITOR_AMQP_PASSWORD: monitor }));
    expect(code, output).toBe(0);
    expect(output).toContain('gatehouse-monitor');
    const auth = `Basic ${Buffer.from(`${MONITOR_BROKER_USER}:${monitor}`).toString('base64')}`;
    expect((await fetch(`http://127.0.0.1:${inject('amqpManagementPort')}/api/nodes`, { headers: { authorization: auth } })).status).toBe(200);
  });

  it('names every bad variable at once, echoes no secret, and exits 2', async () => {
    const { code, output } = await run(setupEnv({ RABBITMQ_MANAGEMENT_URL: 'ftp://x', FRONT_END_AMQP_PASSWORD: 'short', BACK_END_AMQP_PASSWORD: '' }));
    expect(code).toBe(2);
    for (const name of ['RABBITMQ_MANAGEMENT_URL', 'FRONT_END_AMQP_PASSWORD', 'BACK_END_AMQP_PASSWORD']) expect(output).toContain(name);
    expect(output).not.toContain(inject('rabbitPassword'));
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('stops at once with a clear message when the admin password is wrong', async () => {
    const { code, output } = await run(setupEnv({ RABBITMQ_ADMIN_PASSWORD: secret() }));
    expect(code).toBe(1);
    expect(output).toMatch(/RabbitMQ refused the admin login for user/);
  });
});
