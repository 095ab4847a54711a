import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { RefusedError } from './backoff.js';
import { ConfigError } from './config.js';

export interface ShutdownOptions {
  /** Runs at once on the signal: e.g. fail readiness, so load balancers stop sending requests. */
  onSignal?: () => void;
  /** How long to keep serving after the signal before `stop`, while load balancers catch up. */
  drainMs?: number;
  /** How long `stop` itself may take. */
  stopGraceMs?: number;
}

/**
 * Runs `stop` once on SIGTERM or SIGINT, after the drain, then exits. A second signal, or a
 * shutdown that hangs past the drain plus `stopGraceMs`, exits at once so an orchestrator is
 * never kept waiting.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>, options: ShutdownOptions = {}): void {
  const { onSignal, drainMs = 0, stopGraceMs = 10_000 } = options;
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal, drainMs }, 'Shutting down');
    // Counted from the signal, so the drain can never use up the time stop() needs.
    const force = setTimeout(() => {
      logger.error('Shutdown took too long; exiting');
      process.exit(1);
    }, drainMs + stopGraceMs);
    force.unref();
    onSignal?.();
    sleep(drainMs)
      .then(() => stop())
      .then(() => process.exit(0))
      .catch((err) => {
        logger.error({ err }, 'Error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** Logs a fatal start-up error (a mismatched queue, a refused login) clearly and exits 1. */
export function exitOnStartupError(logger: Logger, err: unknown): never {
  if (err instanceof ConfigError) exitOnConfigError(err);
  logger.fatal((err as Error).message);
  // A refused login is for the person starting the service: also as a plain line.
  if (err instanceof RefusedError) process.stderr.write(`${err.message}\n`);
  process.exit(1);
}

/**
 * Runs a service's config loader before anything else exists (the logger's level is one of its
 * settings). A bad configuration is printed as plain lines for a person, one per variable, and
 * the process exits 2; it is not logged as JSON.
 */
export function loadConfigOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) exitOnConfigError(err);
    throw err;
  }
}

function exitOnConfigError(err: ConfigError): never {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
