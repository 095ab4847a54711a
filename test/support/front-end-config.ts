import type { FrontEndConfig } from '@gatehouse/front-end';

/** A Front End on a free loopback port, talking to `amqpUrl` on `requestQueue`. */
export function testFrontEndConfig(amqpUrl: string, requestQueue: string, overrides: Partial<FrontEndConfig> = {}): FrontEndConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    amqpUrls: [amqpUrl],
    requestQueue,
    queueMode: 'quorum',
    rpcTimeoutMs: 5000,
    sessionSecret: 'test-session-secret-of-at-least-32-characters',
    trustProxy: false,
    logLevel: 'silent',
    ...overrides,
  };
}
