import type { FastifyBaseLogger } from 'fastify';
import { argon2CostProblem, parseArgon2Phc, type Argon2Cost } from '@gatehouse/protocol';
import { HashingBusyError, HashLimiter } from './hash-limiter.js';
import type { HashingLoad, HashingMetrics } from './metrics.js';
import { hashPassword, verifyPassword, type Argon2Params } from './password.js';

/** How many argon2 runs at once, how many may wait, and the most a stored hash may cost. */
export interface HashingSettings {
  concurrency: number;
  maxQueue: number;
  caps: Argon2Cost;
}

/**
 * Every argon2 run of a Front End goes through here: bounded (a full queue throws
 * HashingBusyError), and never at a cost above `caps`, whatever a stored hash says.
 */
export class Hasher {
  readonly #limiter: HashLimiter;

  constructor(
    private readonly params: Argon2Params,
    private readonly settings: HashingSettings,
    private readonly metrics?: HashingMetrics,
  ) {
    this.#limiter = new HashLimiter(settings.concurrency, settings.maxQueue);
  }

  /** Runs in progress and waiting, for metrics. */
  get load(): HashingLoad {
    return this.#limiter;
  }

  /** A PHC string at the configured parameters. */
  hash(password: string): Promise<string> {
    return this.#run('hash', () => hashPassword(password, this.params));
  }

  /**
   * True only when the password matches. A hash we cannot parse, or one above the caps, is
   * "no match" without running argon2: its cost is chosen by whoever wrote it.
   */
  async verify(passwordHash: string, password: string, log: FastifyBaseLogger): Promise<boolean> {
    const phc = parseArgon2Phc(passwordHash);
    if (!phc) return false;
    const problem = argon2CostProblem(phc, this.settings.caps);
    if (problem) {
      log.warn({ problem }, 'stored hash refused without verifying: it costs more than the caps allow');
      return false;
    }
    return this.#run('verify', () => verifyPassword(passwordHash, password));
  }

  /** One argon2 run through the limiter, its time (waiting excluded) and any shedding reported. */
  async #run<T>(op: 'hash' | 'verify', task: () => Promise<T>): Promise<T> {
    try {
      return await this.#limiter.run(async () => {
        const started = performance.now();
        try {
          return await task();
        } finally {
          this.metrics?.hashed(op, (performance.now() - started) / 1000);
        }
      });
    } catch (err) {
      if (err instanceof HashingBusyError) this.metrics?.shed();
      throw err;
    }
  }
}
