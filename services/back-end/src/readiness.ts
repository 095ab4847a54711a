import { setTimeout as sleep } from 'node:timers/promises';

export interface ReadinessChecks {
  isConsuming(): boolean;
  /** Resolves once the primary answers a trivial query. */
  pingPrimary(): Promise<void>;
}

export interface ReadinessOptions {
  /** Give up on the primary after this long (below Kubernetes' default 1 s probe timeout). */
  timeoutMs?: number;
  /** Reuse a database answer this long, so frequent probes cannot load the primary. */
  cacheMs?: number;
  now?: () => number;
}

export interface Readiness {
  /** Why this Back End cannot serve requests now, or undefined when it can. */
  problem(): Promise<string | undefined>;
  /** Not ready from now on: the Back End is shutting down. */
  markStopping(): void;
}

/** Ready while consuming the request queue and reaching the primary; not ready once stopping. */
export function createReadiness(checks: ReadinessChecks, options: ReadinessOptions = {}): Readiness {
  let stopping = false;
  const primaryProblem = cachedPrimaryCheck(checks.pingPrimary, options);
  return {
    async problem() {
      if (stopping) return 'shutting down';
      if (!checks.isConsuming()) return 'not consuming the request queue';
      return primaryProblem();
    },
    markStopping: () => void (stopping = true),
  };
}

/** Pings at most once per `cacheMs`, and never twice at once: a hung ping is waited on, not repeated. */
function cachedPrimaryCheck(ping: () => Promise<void>, { timeoutMs = 900, cacheMs = 1000, now = Date.now }: ReadinessOptions) {
  let inFlight: Promise<string | undefined> | undefined;
  let cached: { at: number; problem: string | undefined } | undefined;
  const settle = (): Promise<string | undefined> =>
    ping().then(
      () => undefined,
      () => 'the primary database is unreachable',
    );
  return async (): Promise<string | undefined> => {
    if (cached && now() - cached.at < cacheMs) return cached.problem;
    inFlight ??= settle().finally(() => (inFlight = undefined));
    const timeout = sleep(timeoutMs, `the primary database did not answer within ${timeoutMs} ms`, { ref: false });
    const problem = await Promise.race([inFlight, timeout]);
    cached = { at: now(), problem };
    return problem;
  };
}
