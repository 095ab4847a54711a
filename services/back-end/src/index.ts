export { connectBackEndDatabase, startBackEnd, type RunningBackEnd } from './back-end.js';
export { loadBackEndConfig, type BackEndConfig } from './config.js';
export { createRequestHandler, DEFAULT_POLICIES, type HandlerPolicies } from './handlers/index.js';
export { retentionPolicy, startHousekeeping } from './housekeeping.js';
export { createBackEndMetrics, type BackEndMetrics } from './metrics.js';
export { OutboxRelay, RELAY_DEFAULTS, type MailPublisher } from './mail/outbox-relay.js';
export type { OutboxKick } from './handlers/index.js';
