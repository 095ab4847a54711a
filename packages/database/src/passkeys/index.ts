export * from './credentials.js';
export * from './challenges.js';
