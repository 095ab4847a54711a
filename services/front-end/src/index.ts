export { buildApp, type BuildAppOptions } from './app.js';
export { loadFrontEndConfig, type FrontEndConfig, type QueueMode, type LogLevel } from './config.js';
export { hashPassword, verifyPassword, ARGON2_OPTIONS } from './password.js';
export { deriveSessionKey } from './session.js';
export { BUSY_MESSAGE } from './errors.js';
export { INVALID_LOGIN, USER_EXISTS } from './routes/auth.js';
export { startFrontEnd, type RunningFrontEnd } from './front-end.js';
