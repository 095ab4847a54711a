import type { FastifyBaseLogger } from 'fastify';
import { argon2CostProblem, parseArgon2Phc, type Argon2Cost } from '@gatehouse/protocol';
import { HashingBusyError, HashLimiter, type HashLimits, type HashTicket, type RunOptions } from './hash-limiter.js';
import type { HashingLoad, HashingMetrics } from '../metrics.js';
import { hashPassword, verifyPassword, type Argon2Params } from './password.js';

/** How many argon2 runs at once, how long and how many may wait, and the most a stored hash may cost. */
export interface HashingSettings extends HashLimits {
  caps: Argon2Cost;
}

/**
 * Every argon2 run of a Front End goes through here: admitted only while its expected wait fits
 * the budget (else HashingBusyError), and never at a cost above `caps`, whatever a stored hash says.
 */
export class Hasher {
  readonly #limiter: HashLimiter;

  constructor(
    private readonly params: Argon2Params,
    private readonly settings: HashingSettings,
    private readonly metrics?: HashingMetrics,
    /** One run's time as measured at start-up, the estimate until real runs are timed. */
    estimateMs?: number,
  ) {
    this.#limiter = new HashLimiter(settings, estimateMs);
  }

  /** Runs in progress and waiting, for metrics. */
  get load(): HashingLoad {
    return this.#limiter;
  }

  /**
   * A place for a verify to come, taken before a login is counted anywhere: a login the Front End
   * cannot hash in time is refused here, before the Back End counts it as a failed attempt.
   */
  reserve(deadlineAt?: number): HashTicket {
    try {
      return this.#limiter.reserve(deadlineAt);
    } catch (err) {
      if (err instanceof HashingBusyError) this.metrics?.shed();
      throw err;
    }
  }

  /** A PHC string at the configured parameters. */
  hash(password: string, deadlineAt?: number): Promise<string> {
    return this.#run('hash', () => hashPassword(password, this.params), { deadlineAt });
  }

  /**
   * True only when the password matches. A hash we cannot parse, or one above the caps, is
   * "no match" without running argon2: its cost is chosen by whoever wrote it.
   */
  async verify(passwordHash: string, password: string, log: FastifyBaseLogger, options: RunOptions = {}): Promise<boolean> {
    const phc = parseArgon2Phc(passwordHash);
    const problem = phc ? argon2CostProblem(phc, this.settings.caps) : 'unreadable';
    if (problem) {
      options.ticket?.release();
      if (phc) log.warn({ problem }, 'stored hash refused without verifying: it costs more than the caps allow');
      return false;
    }
    return this.#run('verify', () => verifyPassword(passwordHash, password), options);
  }

  /** One argon2 run through the limiter, its time (waiting excluded) and any shedding reported. */
  async #run<T>(op: 'hash' | 'verify', task: () => Promise<T>, options: RunOptions): Promise<T> {
    try {
      return await this.#limiter.run(async () => {
        const started = performance.now();
        try {
          return await task();
        } finally {
          this.metrics?.hashed(op, (performance.now() - started) / 1000);
        }
      }, options);
    } catch (err) {
      if (err instanceof HashingBusyError) this.metrics?.shed();
      throw err;
    }
  }
}
