import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The caller's deadline, as a local monotonic time (performance.now()): after it nobody waits
 * for the answer, so no query may start or be retried, and no statement may run past it.
 *
 * It travels in an AsyncLocalStorage rather than as a parameter: every repository function
 * (and the statements it runs) would otherwise need one more argument, and one request's work
 * all runs inside the one handler call that set it.
 */
const storage = new AsyncLocalStorage<number>();

/** Runs `work` with `deadline` applying to every Database.primary/standby call inside it; undefined: no deadline. */
export function withinDeadline<T>(deadline: number | undefined, work: () => Promise<T>): Promise<T> {
  return deadline === undefined ? work() : storage.run(deadline, work);
}

/** The deadline of the request being served here, if it has one. */
export function currentDeadline(): number | undefined {
  return storage.getStore();
}

/** Milliseconds until `deadline`; Infinity without one. */
export function msUntil(deadline: number | undefined): number {
  return deadline === undefined ? Infinity : deadline - performance.now();
}

/** The caller's deadline passed: the work was not started (or not committed), since nobody waits for its answer. */
export class DeadlineExceededError extends Error {
  readonly code = 'DEADLINE_EXCEEDED';

  constructor(what: string) {
    super(`The caller's deadline passed ${what}`);
    this.name = 'DeadlineExceededError';
  }
}

/** Throws DeadlineExceededError once the current request's deadline has passed. */
export function assertBeforeDeadline(what: string): void {
  if (msUntil(currentDeadline()) <= 0) throw new DeadlineExceededError(what);
}
