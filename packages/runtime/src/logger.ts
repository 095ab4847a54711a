import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

/**
 * Structured JSON logs. Fields that could carry secrets are redacted at the source, so a
 * careless log line cannot leak a password, a hash or a session.
 */
export function createLogger(name: string, level: LogLevel = 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['password', 'hash', '*.password', '*.hash', '*.*.hash', 'data.hash', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
