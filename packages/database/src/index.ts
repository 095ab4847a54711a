export * from './connect.js';
export * from './migrate.js';
export * from './users.js';
export * from './processed-requests.js';
