export * from './logger.js';
export * from './backoff.js';
export * from './config.js';
export * from './shutdown.js';
export * from './metrics.js';
export * from './http-request.js';
export * from './health-server.js';
