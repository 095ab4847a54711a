import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createMetricsRegistry, type Registry } from '@gatehouse/runtime';
import { AmqpRpcClient, amqpLoginRefusal, connectAmqp, type Connection, type RpcClient } from '@gatehouse/messaging';
import { buildApp } from './app.js';
import { brokerAddressOf } from './status/broker-address.js';
import type { FrontEndConfig } from './config.js';
import { stopBeingReady } from './routes/health.js';

export interface RunningFrontEnd {
  url: string;
  app: FastifyInstance;
  /** Fails /readyz from now on; everything else is still served until stop(). */
  beginShutdown(): void;
  stop(): Promise<void>;
}

/**
 * Starts the web app. Given no `rpc`, it talks to RabbitMQ over one long-lived connection.
 * It does not wait for the broker: until it is reachable, /readyz says so and requests get 503.
 */
export async function startFrontEnd(
  config: FrontEndConfig,
  logger: Logger,
  rpc?: RpcClient,
  onRefused?: (reason: string) => void,
  registry: Registry = createMetricsRegistry(),
): Promise<RunningFrontEnd> {
  const connection = rpc ? undefined : connectAmqp({ urls: config.amqpUrls, name: 'gatehouse-front-end', logger });
  if (connection && onRefused) reportRefusedLogin(connection, config.amqpUrls, onRefused);
  const client =
    rpc ?? new AmqpRpcClient({ connection: connection!, queue: config.requestQueue, mode: config.queueMode, timeoutMs: config.rpcTimeoutMs, logger });
  const app = await buildApp({ rpc: client, config, logger, registry, ...(connection ? { brokerAddress: brokerAddressOf(connection) } : {}) });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    url: `${config.tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    app,
    beginShutdown: () => stopBeingReady(app),
    async stop() {
      await app.close();
      await client.close();
      await connection?.close();
    },
  };
}

/** Calls `onRefused` if the broker turns the first login away: a wrong password does not fix itself. */
function reportRefusedLogin(connection: Connection, urls: string[], onRefused: (reason: string) => void): void {
  const onError = (err: unknown) => {
    const reason = amqpLoginRefusal(err, urls);
    if (reason) onRefused(reason);
  };
  connection.on('error', onError);
  connection.once('connection', () => connection.off('error', onError));
}
