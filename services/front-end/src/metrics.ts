import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { RpcBadReplyError, RpcTimeoutError, RpcUnavailableError, type RpcClient } from '@gatehouse/messaging';
import { latencyHistogram, secondsSince } from '@gatehouse/runtime';

/** The route label of requests no route matched (404s, scans): one label, so junk URLs cannot grow the series. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** What the Hasher reports: each argon2 run's time, and its limiter's queue. */
export interface HashingMetrics {
  hashed(op: 'hash' | 'verify', seconds: number): void;
  shed(): void;
}

export interface HashingLoad {
  readonly running: number;
  readonly waiting: number;
}

/** The Front End's Prometheus series. */
export interface FrontEndMetrics {
  readonly registry: Registry;
  readonly hashing: HashingMetrics;
  /** Times every response by route template (never the raw URL), method and status. */
  observeRoutes(app: FastifyInstance): void;
  /** `rpc`, counting and timing each call by protocol action, and its timeouts and unavailable errors. */
  measureRpc(rpc: RpcClient): RpcClient;
  /** Reports the hashing queue's length and the runs in progress at each scrape. */
  watchHashing(load: HashingLoad): void;
  /** RPC calls sent and not yet answered. */
  rpcInFlight(): number;
}

export function createFrontEndMetrics(registry: Registry): FrontEndMetrics {
  const registers = [registry];
  const http = latencyHistogram(
    registry,
    'gatehouse_http_request_duration_seconds',
    'HTTP requests by route template, method and status code (its _count is the request count)',
    ['route', 'method', 'status'] as const,
  );
  const rpcDuration = latencyHistogram(
    registry,
    'gatehouse_rpc_duration_seconds',
    'RPC calls to the Back End by protocol action and outcome (reply, timeout, unavailable, bad_reply)',
    ['action', 'outcome'] as const,
  );
  const rpcErrors = new Counter({
    name: 'gatehouse_rpc_errors_total',
    help: 'RPC calls that got no usable reply, by protocol action and kind (timeout, unavailable, bad_reply)',
    labelNames: ['action', 'kind'] as const,
    registers,
  });
  const hashTime = latencyHistogram(
    registry,
    'gatehouse_hash_duration_seconds',
    'Time of one argon2 run, waiting excluded, by operation (hash, verify)',
    ['op'] as const,
  );
  const shed = new Counter({ name: 'gatehouse_hash_shed_total', help: 'Requests refused with 503 because their hash would have waited past HASH_WAIT_BUDGET_MS (or the queue was at HASH_QUEUE_MAX)', registers });
  let load: HashingLoad | undefined;
  let inFlight = 0;
  new Gauge({
    name: 'gatehouse_rpc_in_flight',
    help: 'RPC calls sent and not yet answered',
    registers,
    collect() {
      this.set(inFlight);
    },
  });
  new Gauge({
    name: 'gatehouse_hash_queue_length',
    help: 'argon2 runs waiting for a hashing slot',
    registers,
    collect() {
      this.set(load?.waiting ?? 0);
    },
  });
  new Gauge({
    name: 'gatehouse_hash_running',
    help: 'argon2 runs in progress',
    registers,
    collect() {
      this.set(load?.running ?? 0);
    },
  });

  return {
    registry,
    hashing: { hashed: (op, seconds) => hashTime.observe({ op }, seconds), shed: () => shed.inc() },
    observeRoutes(app) {
      app.addHook('onResponse', (request, reply, done) => {
        const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
        http.observe({ route, method: request.method, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
        done();
      });
    },
    measureRpc: (rpc) => ({
      isReady: () => rpc.isReady(),
      close: () => rpc.close(),
      async call(request, options) {
        const started = process.hrtime.bigint();
        let outcome = 'reply';
        inFlight++;
        try {
          return await rpc.call(request, options);
        } catch (err) {
          outcome = errorKind(err);
          rpcErrors.inc({ action: request.action, kind: outcome });
          throw err;
        } finally {
          inFlight--;
          rpcDuration.observe({ action: request.action, outcome }, secondsSince(started));
        }
      },
    }),
    watchHashing: (watched) => void (load = watched),
    rpcInFlight: () => inFlight,
  };
}

function errorKind(err: unknown): string {
  if (err instanceof RpcTimeoutError) return 'timeout';
  if (err instanceof RpcUnavailableError) return 'unavailable';
  if (err instanceof RpcBadReplyError) return 'bad_reply';
  return 'error';
}
