/** One minute of this Front End's HTTP traffic. */
export interface MinuteTraffic {
  /** The minute's start, ISO. */
  minute: string;
  requests: number;
  clientErrors: number;
  serverErrors: number;
}

const MINUTE_MS = 60_000;
/** Minutes kept: what /status shows. */
export const TRAFFIC_MINUTES = 60;

/** Counts of responses per minute over the last hour, for /status's charts (Prometheus keeps the long view). */
export class RecentTraffic {
  readonly #buckets = new Map<number, Omit<MinuteTraffic, 'minute'>>();

  record(status: number, now = Date.now()): void {
    const key = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { requests: 0, clientErrors: 0, serverErrors: 0 };
      this.#buckets.set(key, bucket);
      for (const old of this.#buckets.keys()) if (old <= key - TRAFFIC_MINUTES * MINUTE_MS) this.#buckets.delete(old);
    }
    bucket.requests++;
    if (status >= 500) bucket.serverErrors++;
    else if (status >= 400) bucket.clientErrors++;
  }

  /** The last `TRAFFIC_MINUTES` minutes, oldest first, the current one included; quiet minutes are zeros. */
  recent(now = Date.now()): MinuteTraffic[] {
    const current = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    return Array.from({ length: TRAFFIC_MINUTES }, (_, i) => {
      const key = current - (TRAFFIC_MINUTES - 1 - i) * MINUTE_MS;
      const bucket = this.#buckets.get(key) ?? { requests: 0, clientErrors: 0, serverErrors: 0 };
      return { minute: new Date(key).toISOString(), ...bucket };
    });
  }
}
