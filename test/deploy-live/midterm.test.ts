import { randomUUID } from 'node:crypto';
import { appendFileSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../harness/free-port.js';
import { FormClient } from '../support/form-client.js';
import { launchChromium } from '../support/chromium.js';
import { browserJourney, browserLogin } from './browser-journey.js';
import { ComposeProject, docker, withExtraCa } from './compose-project.js';
import { freshClone, readEnv, writeEnvAsDocumented } from './fresh-clone.js';
import { expectHardenedImage, tcpProbe } from './image-checks.js';

// The midterm (docker-compose.yml) for real: a fresh clone, .env written exactly as docs/compose.md
// says, `docker compose up --build --wait`, then a browser through the published port.

const SERVICES = ['messaging', 'db', 'back-end', 'front-end', 'mailer', 'maildev', 'adminer'] as const;
let clone: string;
let project: ComposeProject;
let appUrl: string;
let adminerUrl: string;
let maildevUrl: string;
const user = { email: `midterm-${randomUUID()}@example.com`, password: 'correct horse battery staple' };

beforeAll(async () => {
  clone = freshClone('gatehouse-midterm');
  writeEnvAsDocumented(clone);
  // docs/compose.md: .env may move both published ports (these are free on this machine now).
  const [appPort, adminerPort, maildevPort] = await freePorts(3);
  appUrl = `http://127.0.0.1:${appPort}`;
  adminerUrl = `http://127.0.0.1:${adminerPort}`;
  maildevUrl = `http://127.0.0.1:${maildevPort}`;
  // PUBLIC_URL follows the moved port, so the links in the mails open this Front End.
  appendFileSync(join(clone, '.env'), `FRONT_END_PORT=${appPort}\nADMINER_PORT=${adminerPort}\nMAILDEV_PORT=${maildevPort}\nPUBLIC_URL=${appUrl}\n`);
  // docs/compose.md's way to try passkeys: a localhost origin (the page is then asked for on 127.0.0.1 here; only the offer is checked).
  appendFileSync(join(clone, '.env'), `WEBAUTHN_ORIGIN=http://localhost:${appPort}\nWEBAUTHN_RP_ID=localhost\n`);
  project = new ComposeProject(clone, `gatehouse-midterm-${process.pid}`, withExtraCa(['docker-compose.yml'], 'deploy/compose/build-ca.yml'));
  const started = Date.now();
  const up = await project.run(['up', '--build', '--wait', '--quiet-pull'], 20 * 60_000);
  if (up.status !== 0) throw new Error(`up --build --wait failed:\n${up.stderr.slice(-5000)}\n${(await project.logs()).stdout}`);
  console.log(`[deploy] midterm: up --build --wait took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}, 25 * 60_000);

afterAll(async () => {
  await project?.destroy();
  if (clone) rmSync(clone, { recursive: true, force: true });
}, 5 * 60_000);

describe('docker compose up --build --wait', () => {
  it('wrote every secret of .env from docs/compose.md, each a fresh random value', () => {
    const env = readEnv(join(clone, '.env'));
    const secrets = ['POSTGRES_PASSWORD', 'GATEHOUSE_DB_PASSWORD', 'RABBITMQ_ADMIN_PASSWORD', 'FRONT_END_AMQP_PASSWORD', 'BACK_END_AMQP_PASSWORD', 'MAILER_AMQP_PASSWORD', 'SESSION_SECRET'];
    for (const name of secrets) expect(env[name], name).toMatch(/^[0-9a-f]{48}$/);
    expect(new Set(secrets.map((n) => env[n])).size).toBe(secrets.length);
  });

  it.each(SERVICES)('%s: healthy by its own HEALTHCHECK, non-root, tini as PID 1', async (service) => {
    await expectHardenedImage(project, service, { readOnly: service === 'front-end' || service === 'back-end' || service === 'mailer' });
  });

  it('broker-setup made the broker users and exited 0', async () => {
    const info = await project.inspect('broker-setup');
    expect(info.State.Status).toBe('exited');
    expect((await docker(['inspect', '-f', '{{.State.ExitCode}}', info.Id])).stdout.trim()).toBe('0');
  });

  it('passes WEBAUTHN_ORIGIN and WEBAUTHN_RP_ID from .env to the Back End: the login page offers a passkey', async () => {
    const login = await new FormClient(appUrl).get('/login');
    expect(login.status).toBe(200);
    expect(login.body).toContain('Sign in with a passkey');
  });

  it('runs RabbitMQ 4.0 with its plugins, and the request queue is a quorum queue', async () => {
    const version = await project.exec('messaging', ['rabbitmqctl', '-q', 'version']);
    expect(version.stdout.trim()).toMatch(/^4\.0\./);
    // The running node's own list (rabbitmq-plugins would need the package's versioned plugins folder).
    const plugins = await project.exec('messaging', ['rabbitmqctl', '-q', 'eval', 'rabbit_plugins:active().']);
    expect(plugins.stdout.match(/\w+/g)).toEqual(expect.arrayContaining(['rabbitmq_management', 'rabbitmq_peer_discovery_k8s', 'rabbitmq_prometheus']));
    const queues = await project.exec('messaging', ['rabbitmqctl', '-q', 'list_queues', '--no-table-headers', 'name', 'type']);
    expect(queues.stdout).toMatch(/^request\s+quorum$/m);
  });

  it('serves the browser through the published port: register, /secret, log out, log in (direct reply-to on 4.0)', async () => {
    const chromium = await launchChromium();
    try {
      await browserJourney(chromium.browser, appUrl, user);
    } finally {
      await chromium.close();
    }
  });

  it('mails a reset link through the Mailer to MailDev, and the link opens the form on this Front End', async () => {
    const email = `midterm-reset-${randomUUID()}@example.com`;
    expect((await new FormClient(appUrl).submit('/register', { email, password: user.password })).status).toBe(303);
    expect((await new FormClient(appUrl).submit('/forgot-password', { email })).status).toBe(200);
    type MailDevMail = { to: { address: string }[]; subject: string; text: string };
    // The address got its verification link at registration too; the reset mail is the one asked for here.
    const mailTo = async () =>
      ((await (await fetch(`${maildevUrl}/email`)).json()) as MailDevMail[]).find((m) => m.to.some((t) => t.address === email) && m.subject.startsWith('Reset'));
    await expect.poll(mailTo, { timeout: 60_000, interval: 1000 }).toBeDefined();
    const mail = (await mailTo())!;
    expect(mail.subject).toBe('Reset your Gatehouse password');
    const link = /https?:\/\/\S+\/reset-password\?token=[\w-]+/.exec(mail.text)?.[0];
    expect(link?.startsWith(`${appUrl}/reset-password?token=`)).toBe(true);
    const form = await new FormClient(appUrl).get(link!.slice(appUrl.length));
    expect(form.status).toBe(200);
    expect(form.body).toContain(email);
  });

  it('Adminer answers on its port with its login form', async () => {
    const page = await fetch(adminerUrl);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('Adminer');
    expect(body).toMatch(/name=["']auth\[server\]["']/);
  });

  it('keeps the two-network rule: the Front End cannot reach the database, only the broker', async () => {
    expect(await tcpProbe(project, 'front-end', 'db', 5432)).toMatch(/^error (ENOTFOUND|EAI_AGAIN)/);
    expect(await tcpProbe(project, 'front-end', 'messaging', 5672)).toBe('connected');
    // The same probe does reach the database from the Back End, so a refusal above is the network's.
    expect(await tcpProbe(project, 'back-end', 'db', 5432)).toBe('connected');
  });
});

describe('down, then up again', () => {
  it('keeps the data in the volumes: the user registered above still logs in', async () => {
    const started = Date.now();
    await project.ok(['down', '--timeout', '20'], 180_000);
    const downSeconds = (Date.now() - started) / 1000;
    expect(await project.containers()).toEqual([]);
    await project.ok(['up', '--wait'], 10 * 60_000);
    console.log(`[deploy] midterm: down took ${downSeconds.toFixed(1)} s, up --wait again ${((Date.now() - started) / 1000 - downSeconds).toFixed(0)} s`);
    // tini forwards SIGTERM: nothing waits out compose's stop timeout.
    expect(downSeconds).toBeLessThan(20);
    const chromium = await launchChromium();
    try {
      await browserLogin(chromium.browser, appUrl, user);
    } finally {
      await chromium.close();
    }
  });
});

describe('a secret missing from .env', () => {
  it('stops compose before it starts anything, naming the secret', async () => {
    const envFile = join(clone, '.env.missing');
    copyFileSync(join(clone, '.env'), envFile);
    writeFileSync(envFile, readFileSync(envFile, 'utf8').replace(/^SESSION_SECRET=.*$/m, 'SESSION_SECRET='));
    const other = new ComposeProject(clone, `gatehouse-missing-${process.pid}`, ['docker-compose.yml'], ['--env-file', envFile]);
    const r = await other.run(['up', '--detach', '--no-build']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('set SESSION_SECRET in .env (see .env.example)');
    const left = await docker(['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${other.name}`]);
    expect(left.stdout.trim()).toBe('');
  });
});
