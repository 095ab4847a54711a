export { startBackEnd, type RunningBackEnd } from './back-end.js';
export { loadBackEndConfig, type BackEndConfig } from './config.js';
export { createRequestHandler } from './handlers.js';
