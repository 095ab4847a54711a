export { buildApp, type BuildAppOptions } from './app.js';
export { loadFrontEndConfig, FRONT_END_DEFAULTS, type FrontEndConfig, type TlsFiles, type QueueMode, type LogLevel } from './config.js';
export { hashPassword, verifyPassword, needsRehash, OWASP_ARGON2, type Argon2Params } from './password.js';
export { checkNewPassword, checkPasswordLength, isCommonPassword, PasswordErrors } from './password-policy.js';
export { deriveCookieSecret } from './cookies.js';
export { tokenHashOf } from './sessions.js';
export { BUSY_MESSAGE } from './errors.js';
export { INVALID_LOGIN, USER_EXISTS } from './routes/auth.js';
export { startFrontEnd, type RunningFrontEnd } from './front-end.js';
