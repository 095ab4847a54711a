/** One server HAProxy balances over. */
export interface HaproxyServer {
  name: string;
  host: string;
  port: number;
}

/** Where HAProxy listens and what it balances; the settings themselves are the same everywhere. */
export interface HaproxyLayout {
  /** The host every listener binds to: 127.0.0.1 for the local cluster, * in a container. */
  bindHost: string;
  ports: { dbReadWrite: number; dbReadOnly: number; app: number; stats: number };
  /** The Patroni members: PostgreSQL's address, and its REST API's port on the same host. None: no db-rw, db-r. */
  postgres: readonly (HaproxyServer & { restPort: number })[];
  /** None: no app frontend (compose runs the database proxy and the Front Ends' balancer apart). */
  frontEnds: readonly HaproxyServer[];
  /** A DNS server (Docker's): names are resolved while running, and one not yet up does not stop HAProxy. */
  dnsServer?: string;
  statsSocket?: string;
  statsAuth?: { user: string; password: string };
  /** Send X-Forwarded-For to the Front Ends (which then need TRUST_PROXY). */
  forwardFor?: boolean;
}

/**
 * Fast checks (1 s, down after two misses) and `shutdown-sessions`: when a node is marked down
 * its connections are cut, so no client keeps talking to a demoted primary.
 */
const CHECKS = 'default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 1 on-marked-down shutdown-sessions';

/** The textbook's db-rw and db-r, checked against Patroni's REST API, and the Front Ends' load balancer. */
export function renderHaproxyConfig(layout: HaproxyLayout): string {
  const { bindHost, ports, postgres: pg } = layout;
  // With a resolver, a name that does not resolve yet leaves the server down instead of failing the start.
  const checks = layout.dnsServer ? `${CHECKS} resolvers dns init-addr last,libc,none` : CHECKS;
  const auth = layout.statsAuth;
  return [
    'global',
    '  maxconn 4000',
    ...(layout.statsSocket ? [`  stats socket ${layout.statsSocket} mode 600 level admin`] : []),
    '',
    ...(layout.dnsServer ? ['resolvers dns', `  nameserver dns ${layout.dnsServer}`, '  hold valid 5s', '  hold other 5s', ''] : []),
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout check 2s',
    // Database sessions are long-lived pool connections.
    '  timeout client 30m',
    '  timeout server 30m',
    '',
    ...(pg.length > 0 ? databaseSections(layout, checks) : []),
    ...(layout.frontEnds.length > 0 ? appSections(layout, checks) : []),
    'listen stats',
    '  mode http',
    `  bind ${bindHost}:${ports.stats}`,
    '  timeout client 30s',
    '  stats enable',
    '  stats uri /',
    '  stats refresh 5s',
    ...(auth ? [`  stats auth ${auth.user}:${auth.password}`] : []),
    '',
  ].join('\n');
}

function databaseSections(layout: HaproxyLayout, checks: string): string[] {
  const { bindHost, ports, postgres: pg } = layout;
  return [
    'listen db-rw',
    `  bind ${bindHost}:${ports.dbReadWrite}`,
    // One retry (each waits a second): a client that reached a dead server should learn it soon.
    '  retries 1',
    '  option httpchk',
    // OPTIONS: Patroni answers with the status alone. A GET's body met a connection HAProxy had
    // already closed once it read the status, and Patroni 4 logged a traceback for every check.
    '  http-check send meth OPTIONS uri /primary',
    '  http-check expect status 200',
    `  ${checks}`,
    ...pg.map((n) => `  server ${n.name} ${n.host}:${n.port} check port ${n.restPort}`),
    '',
    'listen db-r',
    `  bind ${bindHost}:${ports.dbReadOnly}`,
    '  retries 1',
    '  option redispatch',
    '  balance roundrobin',
    '  option httpchk',
    // A standby more than 1 MB behind is taken out of the read pool.
    '  http-check send meth OPTIONS uri /replica?lag=1MB',
    '  http-check expect status 200',
    `  ${checks}`,
    ...pg.map((n) => `  server ${n.name} ${n.host}:${n.port} check port ${n.restPort}`),
    // With no standby healthy, reads go to the primary (its state tracked from db-rw).
    ...pg.map((n) => `  server ${n.name}-primary ${n.host}:${n.port} backup track db-rw/${n.name}`),
    '',
  ];
}

function appSections(layout: HaproxyLayout, checks: string): string[] {
  const { bindHost, ports } = layout;
  return [
    'frontend app',
    '  mode http',
    `  bind ${bindHost}:${ports.app}`,
    '  timeout client 30s',
    '  timeout http-request 10s',
    ...(layout.forwardFor ? ['  option forwardfor'] : []),
    '  default_backend front-ends',
    '',
    'backend front-ends',
    '  mode http',
    '  balance roundrobin',
    '  timeout server 30s',
    '  option httpchk',
    '  http-check send meth GET uri /readyz',
    '  http-check expect status 200',
    // A request that could not reach a Front End at all is sent to another one.
    '  retries 2',
    '  option redispatch',
    '  retry-on conn-failure',
    // A Front End that dies with requests in flight leaves HAProxy nothing to relay; those requests
    // (and any that time out) get "busy, try again" (503), as the app's own overload answer, not a
    // 502 or 504. The page is Debian's stock one, in the haproxy package on the host and in the image.
    '  errorfile 502 /etc/haproxy/errors/503.http',
    '  errorfile 504 /etc/haproxy/errors/503.http',
    `  ${checks}`,
    ...layout.frontEnds.map((n) => `  server ${n.name} ${n.host}:${n.port} check`),
    '',
  ];
}
