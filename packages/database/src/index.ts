export * from './connect.js';
export * from './migrate.js';
export * from './users.js';
export * from './processed-requests.js';
export * from './sessions.js';
export * from './login-failures.js';
export * from './audit-events.js';
export { QueryTimeoutError } from './deadline.js';
export { isConnectionFailure } from './connection-failures.js';
