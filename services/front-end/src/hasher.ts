import type { FastifyBaseLogger } from 'fastify';
import { argon2CostProblem, parseArgon2Phc, type Argon2Cost } from '@gatehouse/protocol';
import { HashLimiter } from './hash-limiter.js';
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
  ) {
    this.#limiter = new HashLimiter(settings.concurrency, settings.maxQueue);
  }

  /** A PHC string at the configured parameters. */
  hash(password: string): Promise<string> {
    return this.#limiter.run(() => hashPassword(password, this.params));
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
    return this.#limiter.run(() => verifyPassword(passwordHash, password));
  }
}
