import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export const REPO = join(import.meta.dirname, '../..');

/** The contract's compose secrets; compose takes each from .env and must fail, naming it, when it is empty. */
export const COMPOSE_SECRETS = [
  'POSTGRES_PASSWORD',
  'GATEHOUSE_DB_PASSWORD',
  'PATRONI_REPLICATION_PASSWORD',
  'PATRONI_REWIND_PASSWORD',
  'PATRONI_RESTAPI_PASSWORD',
  'RABBITMQ_ADMIN_PASSWORD',
  'RABBITMQ_ERLANG_COOKIE',
  'FRONT_END_AMQP_PASSWORD',
  'BACK_END_AMQP_PASSWORD',
  'MAILER_AMQP_PASSWORD',
  'SESSION_SECRET',
  'MFA_ENCRYPTION_KEY',
] as const;

/** Random values of the sizes the services accept: the MFA key is 32 bytes, the rest 24. */
export const randomSecrets = (): Record<string, string> =>
  Object.fromEntries(COMPOSE_SECRETS.map((name) => [name, randomBytes(name === 'MFA_ENCRYPTION_KEY' ? 32 : 24).toString('hex')]));

export interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | null>;
  networks?: Record<string, { ipv4_address?: string } | null>;
  volumes?: (string | { type: string; source?: string; target: string })[];
  depends_on?: Record<string, { condition: string }>;
  ports?: (string | { published: string | number; target: number; host_ip?: string })[];
  healthcheck?: { test?: string[]; disable?: boolean };
  read_only?: boolean;
  cap_drop?: string[];
}
export interface ComposeModel {
  services: Record<string, Service>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
}

// An empty file, so a developer's own .env can neither hide a missing secret nor leak into the output.
const EMPTY_ENV_FILE = join(mkdtempSync(join(tmpdir(), 'gatehouse-compose-')), 'empty.env');
writeFileSync(EMPTY_ENV_FILE, '');

/** `docker-compose -f <file> config` with only the given variables; Debian's 1.29 needs no Docker engine. */
export function composeConfig(file: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const binary = ['/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].find((path) => existsSync(path));
  if (!binary) throw new Error('docker-compose is not installed; install it with: sudo apt-get install docker-compose');
  const r = spawnSync(binary, ['--env-file', EMPTY_ENV_FILE, '-f', join(REPO, file), 'config'], {
    env: { PATH: '/usr/bin:/bin', HOME: tmpdir(), ...env },
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The file as compose resolves it: variables substituted, anchors merged, paths absolute. */
export function renderedModel(file: string, env: Record<string, string>): ComposeModel {
  const r = composeConfig(file, env);
  if (r.status !== 0) throw new Error(`docker-compose config -f ${file} failed:\n${r.stderr}`);
  return parse(r.stdout) as ComposeModel;
}

/** A volume entry's source, target and whether it is a named volume (not a bind mount). */
export function mount(entry: NonNullable<Service['volumes']>[number]): { source: string; target: string; named: boolean } {
  if (typeof entry !== 'string') return { source: entry.source ?? '', target: entry.target, named: entry.type === 'volume' };
  const [source = '', target = ''] = entry.split(':');
  return { source, target, named: !source.startsWith('/') && !source.startsWith('.') };
}

export const networksOf = (service: Service): string[] => Object.keys(service.networks ?? {});

/** Services built from this repository's image of the given tier, running that tier (not a one-shot). */
export const tierServices = (model: ComposeModel, tier: 'front-end' | 'back-end'): [string, Service][] =>
  Object.entries(model.services).filter(([, s]) => s.image === `gatehouse/${tier}:latest` && s.command === undefined);

/** Every `${NAME...}` a compose file refers to. */
export const referencedVariables = (text: string): Set<string> => new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!));
