import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export { Registry };

/**
 * A Prometheus registry with Node's default process metrics (CPU, memory, event loop lag, GC).
 * One per service instance rather than prom-client's global one, so `npm start` can put both
 * tiers in one registry and tests can build several apps in one process.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** What a `/metrics` endpoint sends: the text exposition format and its content type. */
export async function metricsExposition(registry: Registry): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** Latency buckets (seconds) for RPCs, requests and queries: 1 ms to 10 s. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Seconds since `startNs` (from process.hrtime.bigint()). */
export function secondsSince(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

/** A latency histogram (seconds, LATENCY_BUCKETS) in `registry`. */
export function latencyHistogram<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Histogram<L> {
  return new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [registry] });
}
