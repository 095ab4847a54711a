import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from './files.js';

/** Every credential the cluster uses. Generated at the first `up`; nothing has a default. */
export interface ClusterSecrets {
  postgresSuperuser: string;
  postgresReplication: string;
  postgresRewind: string;
  /** The `gatehouse` role the Back Ends log in as. */
  postgresApp: string;
  patroniRestApi: string;
  /** The management UI's `admin` user. */
  rabbitmqAdmin: string;
  /** The broker users the Front Ends and the Back Ends connect as (@gatehouse/operations). */
  rabbitmqFrontEnd: string;
  rabbitmqBackEnd: string;
  /** The Mailers' broker user. */
  rabbitmqMailer: string;
  erlangCookie: string;
  haproxyStats: string;
  sessionSecret: string;
  /** The Front Ends' ADMIN_TOKEN: /status and /metrics. */
  adminToken: string;
  /** The monitoring-only broker user /status reads the management API as. */
  rabbitmqMonitor: string;
}

const KEYS: (keyof ClusterSecrets)[] = [
  'postgresSuperuser', 'postgresReplication', 'postgresRewind', 'postgresApp', 'patroniRestApi',
  'rabbitmqAdmin', 'rabbitmqFrontEnd', 'rabbitmqBackEnd', 'erlangCookie', 'haproxyStats', 'sessionSecret',
  'adminToken', 'rabbitmqMonitor', 'rabbitmqMailer',
];

export const secretsFile = (dataDir: string) => join(dataDir, 'secrets.json');

// URL-safe, so they can go into connection URLs without escaping.
const generate = () => randomBytes(24).toString('base64url');

/** Loads the secrets, generating (mode 600) any that are missing. */
export async function ensureSecrets(dataDir: string): Promise<ClusterSecrets> {
  const file = secretsFile(dataDir);
  const existing = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Partial<ClusterSecrets>) : {};
  const secrets = Object.fromEntries(KEYS.map((k) => [k, existing[k] ?? generate()])) as unknown as ClusterSecrets;
  if (KEYS.some((k) => existing[k] === undefined)) {
    await writeFileAtomically(file, `${JSON.stringify(secrets, null, 2)}\n`, 0o600);
  }
  await chmod(file, 0o600);
  return secrets;
}

export async function loadSecrets(dataDir: string): Promise<ClusterSecrets> {
  const file = secretsFile(dataDir);
  if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run cluster -- up" first`);
  return JSON.parse(await readFile(file, 'utf8')) as ClusterSecrets;
}
