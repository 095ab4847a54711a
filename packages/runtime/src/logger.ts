import { pino, type Logger } from 'pino';

/**
 * Structured JSON logs. Fields that could carry secrets are redacted at the source, so a
 * careless log line cannot leak a password, a hash or a session.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
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
