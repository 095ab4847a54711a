import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RABBITMQ_SHARED_CONF } from '@gatehouse/operations';
import { BACK_END_VARIABLES, loadBackEndConfig } from '../../services/back-end/src/config.js';
import { FRONT_END_VARIABLES, loadFrontEndConfig } from '../../services/front-end/src/config.js';
import { COMPOSE_HAPROXY_FILES } from '../../scripts/render-compose-haproxy.js';
import { SOURCE_CONDITION, TSX } from '../support/service-process.js';
import {
  COMPOSE_SECRETS,
  composeConfig,
  mount,
  networksOf,
  randomSecrets,
  referencedVariables,
  renderedModel,
  REPO,
  tierServices,
  type ComposeModel,
} from './compose-support.js';

// docker-compose.yml (the midterm) and deploy/compose/ha.yml, checked with Debian's docker-compose 1.29.
const FILES = {
  'docker-compose.yml': { secrets: ['POSTGRES_PASSWORD', 'GATEHOUSE_DB_PASSWORD', 'RABBITMQ_ADMIN_PASSWORD', 'FRONT_END_AMQP_PASSWORD', 'BACK_END_AMQP_PASSWORD', 'MAILER_AMQP_PASSWORD', 'SESSION_SECRET', 'MFA_ENCRYPTION_KEY'], replicas: 1 },
  'deploy/compose/ha.yml': { secrets: [...COMPOSE_SECRETS], replicas: 3 },
} as const;
type File = keyof typeof FILES;
const DATABASE_SERVICES = /^(db\d*|haproxy|etcd\d)$/;

const secrets = randomSecrets();
const models = {} as Record<File, ComposeModel>;
beforeAll(() => {
  for (const file of Object.keys(FILES) as File[]) models[file] = renderedModel(file, secrets);
});
const source = (file: string) => readFileSync(join(REPO, file), 'utf8');

describe.each(Object.keys(FILES) as File[])('%s', (file) => {
  const model = () => models[file];

  // One docker-compose run per secret: slow on a loaded machine.
  it('uses exactly its secrets, each from the environment, and names any that is missing', { timeout: 180_000 }, () => {
    // Ports, ADMIN_TOKEN, the rate limit, the mail and passkey addresses are optional settings with a fallback (ADMIN_TOKEN empty: /status and /metrics off), not secrets.
    const optional = ['FRONT_END_PORT', 'ADMINER_PORT', 'MAILDEV_PORT', 'DB_STATS_PORT', 'LB_STATS_PORT', 'ADMIN_TOKEN', 'RATE_LIMIT_PER_MINUTE', 'SMTP_URL', 'PUBLIC_URL', 'WEBAUTHN_ORIGIN', 'WEBAUTHN_RP_ID'];
    const used = [...referencedVariables(source(file))].filter((v) => !optional.includes(v));
    expect(used.sort()).toEqual([...FILES[file].secrets].sort());
    for (const name of FILES[file].secrets) {
      const { [name]: _missing, ...rest } = secrets;
      const r = composeConfig(file, rest);
      expect(r.status, name).not.toBe(0);
      expect(r.stderr).toContain(`set ${name} in .env (see .env.example)`);
    }
  });

  it('refers only to networks, volumes and services it defines', () => {
    const { services, networks = {}, volumes = {} } = model();
    for (const [name, service] of Object.entries(services)) {
      for (const network of networksOf(service)) expect(Object.keys(networks), `${name} network`).toContain(network);
      for (const entry of service.volumes ?? []) {
        const m = mount(entry);
        if (m.named) expect(Object.keys(volumes), `${name} volume`).toContain(m.source);
        else expect(existsSync(m.source), `${name} mounts ${m.source}`).toBe(true);
      }
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(Object.keys(services), `${name} depends_on`).toContain(dependency);
      if (service.build) expect(existsSync(join(service.build.context, service.build.dockerfile ?? 'Dockerfile')), `${name} build`).toBe(true);
    }
  });

  it('keeps the Front Ends off every network the database is on', () => {
    const { services } = model();
    const databaseNetworks = new Set(Object.entries(services).filter(([n]) => DATABASE_SERVICES.test(n)).flatMap(([, s]) => networksOf(s)));
    expect(databaseNetworks.size).toBeGreaterThan(0);
    const facing = Object.entries(services).filter(([n, s]) => s.image === 'gatehouse/front-end:latest' || n === 'load-balancer');
    expect(facing.length).toBeGreaterThanOrEqual(FILES[file].replicas);
    for (const [name, service] of facing) expect(networksOf(service).filter((n) => databaseNetworks.has(n)), name).toEqual([]);
  });

  it('pins every image it pulls, and builds every image of its own', () => {
    for (const [name, service] of Object.entries(model().services)) {
      const image = service.image ?? '';
      if (image.startsWith('gatehouse/')) expect(service.build, `${name} builds ${image}`).toBeDefined();
      else expect(image, name).toMatch(/^[\w./-]+:(?!latest$)[\w.-]+$/);
    }
  });

  it('writes no secret into the file: every password, secret and cookie is a ${...} reference', () => {
    const text = source(file);
    const values = [...text.matchAll(/^\s*[A-Z0-9_]*(PASSWORD|PASS|SECRET|COOKIE):\s*(.*)$/gm)].map((m) => m[2]!);
    expect(values.length).toBeGreaterThanOrEqual(FILES[file].secrets.length);
    for (const value of values) expect(value).toMatch(/^\$\{[A-Z0-9_]+(:\?[^}]*)?\}$/);
    // Passwords inside URLs too: amqp://user:${...}@host.
    for (const [, password] of text.matchAll(/:\/\/[\w-]+:([^@\s]*)@/g)) expect(password).toMatch(/^\$\{[A-Z0-9_]+(:\?[^}]*)?\}$/);
  });

  it('configures RabbitMQ with the shared settings and the admin user from the environment', () => {
    const nodes = Object.entries(model().services).filter(([, s]) => s.image === 'gatehouse/messaging:latest');
    expect(nodes).toHaveLength(FILES[file].replicas);
    for (const [name, node] of nodes) {
      const conf = (node.volumes ?? []).map(mount).find((m) => m.target === '/etc/rabbitmq/conf.d/20-gatehouse.conf');
      expect(conf, name).toBeDefined();
      const lines = readFileSync(conf!.source, 'utf8').split('\n');
      for (const line of RABBITMQ_SHARED_CONF) expect(lines, `${conf!.source}`).toContain(line);
      expect(node.environment?.RABBITMQ_DEFAULT_PASS).toBe(secrets.RABBITMQ_ADMIN_PASSWORD);
    }
    const setup = model().services['broker-setup']!;
    expect(setup.command).toEqual(['node', 'packages/operations/dist/setup-broker-users-cli.js']);
    expect(setup.environment?.RABBITMQ_EXPECTED_NODES).toBe(String(FILES[file].replicas));
  });

  it('starts the tiers once the broker users exist, with a readiness healthcheck', () => {
    for (const tier of ['front-end', 'back-end'] as const) {
      const services = tierServices(model(), tier);
      expect(services).toHaveLength(FILES[file].replicas);
      for (const [name, service] of services) {
        expect(service.depends_on?.['broker-setup']?.condition, name).toBe('service_completed_successfully');
        expect(service.healthcheck?.test?.join(' '), name).toContain(tier === 'front-end' ? '127.0.0.1:3000/readyz' : '127.0.0.1:8081/readyz');
      }
    }
  });

  it('runs every container of the Front and Back End images read-only, without Linux capabilities', () => {
    const services = Object.entries(model().services).filter(([, s]) => /^gatehouse\/(front|back)-end:/.test(s.image ?? ''));
    expect(services.length).toBeGreaterThanOrEqual(2 * FILES[file].replicas + 1); // the tiers and broker-setup
    for (const [name, service] of services) {
      expect(service.read_only, name).toBe(true);
      expect(service.cap_drop, name).toEqual(['ALL']);
    }
  });

  it('gives the Front and Back Ends only variables their config modules read, and a configuration they accept', () => {
    for (const [tier, variables, load] of [
      ['front-end', FRONT_END_VARIABLES, loadFrontEndConfig],
      ['back-end', BACK_END_VARIABLES, loadBackEndConfig],
    ] as const) {
      for (const [name, service] of tierServices(model(), tier)) {
        const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, v ?? '']));
        expect(Object.keys(env).filter((k) => !variables.includes(k)), name).toEqual([]);
        // NODE_ENV=production comes from the image.
        expect(() => load({ NODE_ENV: 'production', ...env }), name).not.toThrow();
      }
    }
  });
});

describe('docker-compose.yml', () => {
  it('publishes the Front End, Adminer and MailDev on 127.0.0.1 only, Adminer on the database network only, MailDev on the mail one', () => {
    const { services } = models['docker-compose.yml'];
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p] as const));
    expect(published.map(([name]) => name).sort()).toEqual(['adminer', 'front-end', 'maildev']);
    for (const [, port] of published) expect(typeof port === 'string' ? port : port.host_ip).toMatch(/^127\.0\.0\.1/);
    expect(networksOf(services.adminer!)).toEqual(['database']);
    expect(networksOf(services.maildev!)).toEqual(['mail']);
    expect(networksOf(services.mailer!).sort()).toEqual(['mail', 'messaging']);
    expect(services['back-end']!.depends_on?.db?.condition).toBe('service_healthy');
  });
});

describe('deploy/compose/ha.yml', () => {
  const ha = () => models['deploy/compose/ha.yml'];

  it("runs three Patroni members on etcd's v3 API (Patroni 4; etcd without --enable-v2)", () => {
    const { services } = ha();
    const etcd = Object.entries(services).filter(([n]) => /^etcd\d$/.test(n));
    expect(etcd).toHaveLength(3);
    for (const [name, s] of etcd) {
      expect(s.image).toBe('gatehouse/etcd:latest');
      expect(JSON.stringify(s), name).not.toMatch(/enable-v2|ENABLE_V2/);
    }
    for (const name of ['db1', 'db2', 'db3']) {
      const db = services[name]!;
      expect(db.command).toEqual(['gatehouse-patroni']);
      expect(db.environment?.PATRONI_ETCD3_HOSTS).toBe('etcd1:2379,etcd2:2379,etcd3:2379');
      expect(db.environment).not.toHaveProperty('PATRONI_ETCD_HOSTS');
      expect(db.environment?.PATRONI_SUPERUSER_PASSWORD).toBe(secrets.POSTGRES_PASSWORD);
    }
  });

  it("lets the Front Ends trust X-Forwarded-For from the load balancer's fixed address only", () => {
    const { services, networks = {} } = ha();
    const address = services['load-balancer']!.networks?.web?.ipv4_address;
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(JSON.stringify(networks.web)).toContain(`${address!.split('.').slice(0, 3).join('.')}.0/24`);
    for (const [name, service] of tierServices(ha(), 'front-end')) expect(service.environment?.TRUST_PROXY, name).toBe(address);
    expect(source('deploy/compose/load-balancer.cfg')).toContain('option forwardfor');
  });

  it('sends the Back Ends to HAProxy: writes to db-rw (5000), reads to db-r (5001)', () => {
    for (const [name, service] of tierServices(ha(), 'back-end')) {
      const password = secrets.GATEHOUSE_DB_PASSWORD;
      expect(service.environment?.DATABASE_URL, name).toBe(`postgres://gatehouse:${password}@haproxy:5000/gatehouse`);
      expect(service.environment?.DATABASE_READ_URL, name).toBe(`postgres://gatehouse:${password}@haproxy:5001/gatehouse`);
      expect(service.environment?.AMQP_URL?.split(',')).toHaveLength(3);
    }
  });

  it('renders its committed HAProxy files from nothing in .env: the same files whatever the secrets are', () => {
    // The renderer run with .env's values in its environment, as a developer's shell may hold them;
    // the image layers are dockerfiles.test.ts's: .dockerignore keeps .env out of every build context.
    const script = "import('./scripts/render-compose-haproxy.ts').then((m) => process.stdout.write(JSON.stringify(m.COMPOSE_HAPROXY_FILES)))";
    const r = spawnSync(TSX, [SOURCE_CONDITION, '-e', script], { cwd: REPO, env: { ...process.env, ...secrets }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const rendered = JSON.parse(r.stdout) as Record<string, string>;
    expect(Object.keys(rendered)).toEqual(Object.keys(COMPOSE_HAPROXY_FILES));
    for (const [path, text] of Object.entries(rendered)) {
      for (const [name, value] of Object.entries(secrets)) expect(text, `${path} holds ${name}`).not.toContain(value);
      expect(text, path).toBe(source(path));
    }
  });

  it("mounts HAProxy files that the shared renderer produces, which HAProxy itself accepts", () => {
    const { services } = ha();
    const mounted = ['haproxy', 'load-balancer'].map((name) => mount(services[name]!.volumes![0]!));
    expect(mounted.map((m) => m.target)).toEqual(['/usr/local/etc/haproxy/haproxy.cfg', '/usr/local/etc/haproxy/haproxy.cfg']);
    expect(mounted.map((m) => m.source)).toEqual(Object.keys(COMPOSE_HAPROXY_FILES).map((f) => join(REPO, f)));
    for (const [path, expected] of Object.entries(COMPOSE_HAPROXY_FILES)) {
      expect(source(path), `${path}: regenerate with npx tsx --conditions=gatehouse-source scripts/render-compose-haproxy.ts`).toBe(expected);
      const check = spawnSync('/usr/sbin/haproxy', ['-c', '-q', '-f', join(REPO, path)], { encoding: 'utf8' });
      expect(check.status, `${path}: ${check.stderr}`).toBe(0);
    }
    const db = source('deploy/compose/haproxy.cfg');
    expect(db).toMatch(/listen db-rw\n {2}bind \*:5000\n[^]*http-check send meth OPTIONS uri \/primary\n/);
    expect(db).toMatch(/listen db-r\n {2}bind \*:5001\n[^]*http-check send meth OPTIONS uri \/replica\?lag=1MB\n/);
    expect(db).toContain('on-marked-down shutdown-sessions');
    for (const i of [1, 2, 3]) expect(db).toContain(`server db${i} db${i}:5432 check port 8008`);
    const lb = source('deploy/compose/load-balancer.cfg');
    for (const i of [1, 2, 3]) expect(lb).toContain(`server front-end-${i} front-end-${i}:3000 check`);
    expect(lb).toContain('http-check send meth GET uri /readyz');
    // A Front End killed mid-request: HAProxy answers 503 (busy, try again), not 502.
    expect(lb).toContain('errorfile 502 /etc/haproxy/errors/503.http');
  });
});
