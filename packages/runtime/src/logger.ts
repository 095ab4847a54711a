import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { LogLevel } from './config.js';

export interface LoggerOptions {
  /** One readable line per record, for a person at a terminal; JSON otherwise (for machines). */
  pretty?: boolean;
  /** Where records go; standard output by default. */
  destination?: NodeJS.WritableStream;
}

/**
 * Structured logs: JSON for log collectors, or readable lines on a terminal. Fields that could
 * carry secrets are redacted at the source, so a careless log line cannot leak a password, a
 * hash or a session.
 */
export function createLogger(name: string, level: LogLevel = 'info', options: LoggerOptions = {}): Logger {
  const { pretty = process.stdout.isTTY === true, destination = process.stdout } = options;
  const settings = {
    name,
    level,
    redact: {
      paths: ['password', 'hash', '*.password', '*.hash', '*.*.hash', 'data.hash', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
  };
  // In this thread, not a transport worker: a development terminal needs no extra thread.
  const stream: DestinationStream = pretty
    ? PinoPretty({ colorize: destination === process.stdout, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,name', singleLine: true, destination, sync: true })
    : (destination as DestinationStream);
  return pino(settings, stream);
}

export type { Logger };
