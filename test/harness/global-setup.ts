import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresServer } from './postgres.js';
import { startRabbit, type RabbitServer } from './rabbitmq.js';

/** One PostgreSQL and one RabbitMQ shared by all integration test files; stopped at teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  // Start both at once; if one fails, stop the other before reporting.
  const [pg, mq] = await Promise.allSettled([startPostgres({ name: 'shared' }), startRabbit({ name: 'shared' })]);
  const servers = [pg, mq].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stopAll = async () => {
    const results = await Promise.allSettled(servers.map((s) => s.stop()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  if (pg.status === 'rejected' || mq.status === 'rejected') {
    await stopAll().catch(() => {});
    throw pg.status === 'rejected' ? pg.reason : (mq as PromiseRejectedResult).reason;
  }
  const postgres: PostgresServer = pg.value;
  const rabbit: RabbitServer = mq.value;

  project.provide('postgresUrl', postgres.url);
  project.provide('amqpUrl', rabbit.url);
  project.provide('amqpManagementPort', rabbit.managementPort);
  project.provide('rabbitUser', rabbit.user);
  project.provide('rabbitPassword', rabbit.password);
  console.log(
    `[harness] PostgreSQL :${postgres.port} and RabbitMQ :${rabbit.amqpPort} (mgmt :${rabbit.managementPort}) ` +
      `ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  return stopAll;
}
