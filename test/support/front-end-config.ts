import { loadFrontEndConfig, type FrontEndConfig } from '@gatehouse/front-end';

/** A Front End on a free loopback port, talking to `amqpUrl` on `requestQueue`, with the documented defaults. */
export function testFrontEndConfig(amqpUrl: string, requestQueue: string, overrides: Partial<FrontEndConfig> = {}): FrontEndConfig {
  const config = loadFrontEndConfig({
    AMQP_URL: amqpUrl,
    REQUEST_QUEUE: requestQueue,
    SESSION_SECRET: 'test-session-secret-of-at-least-32-characters',
    LOG_LEVEL: 'silent',
  });
  return { ...config, port: 0, ...overrides };
}
