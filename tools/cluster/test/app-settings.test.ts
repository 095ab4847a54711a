import { describe, expect, it } from 'vitest';
import { loadBackEndConfig } from '@gatehouse/back-end/config';
import { loadFrontEndConfig } from '@gatehouse/front-end/config';
import { loadMailerConfig } from '@gatehouse/mailer/config';
import { ownSettings } from '../src/nodes/app.js';
import { findNode, loadPlan, planFile } from '../src/plan.js';
import { readFile, writeFile } from 'node:fs/promises';
import { plannedContext } from './planned-context.js';

// No servers: what the cluster would give its Front Ends and Back Ends, read by their own config modules.
const context = (settings: Record<string, string> = {}) => plannedContext(settings);

describe('the cluster wires /status and /metrics', () => {
  it('gives each Front End the generated admin token and every broker node\'s management API as the monitoring user', async () => {
    const ctx = await context();
    const config = loadFrontEndConfig(ownSettings(ctx, findNode('front-end1')!));
    expect(config.adminToken).toBe(ctx.secrets.adminToken);
    expect(config.adminToken!.length).toBeGreaterThanOrEqual(24);
    expect(config.brokerManagement).toEqual({
      urls: ctx.plan.ports.rabbitmq.map((p) => `http://127.0.0.1:${p.management}`),
      user: 'gatehouse-monitor',
      password: ctx.secrets.rabbitmqMonitor,
    });
  });

  it('gives each Back End every Patroni REST API', async () => {
    const ctx = await context();
    const config = loadBackEndConfig(ownSettings(ctx, findNode('back-end2')!));
    expect(config.patroniUrls).toEqual(ctx.plan.ports.postgres.map((p) => `http://127.0.0.1:${p.rest}`));
    expect(config.health?.port).toBe(ctx.plan.ports.backEndHealth[1]);
  });
});

describe('the cluster wires its Mailers', () => {
  it('sends to its SMTP catcher as the Mailer broker user, with links to the load balancer, each on its own health port', async () => {
    const ctx = await context();
    const config = loadMailerConfig(ownSettings(ctx, findNode('mailer2')!));
    expect(config.smtpUrl).toBe(`smtp://127.0.0.1:${ctx.plan.ports.smtp}`);
    expect(config.site.publicUrl).toBe(`http://127.0.0.1:${ctx.plan.ports.app}`);
    expect(config.amqpUrls).toEqual(ctx.plan.ports.rabbitmq.map((p) => `amqp://gatehouse-mailer:${ctx.secrets.rabbitmqMailer}@127.0.0.1:${p.amqp}`));
    expect(config.health).toEqual({ host: '127.0.0.1', port: ctx.plan.ports.mailerHealth[1] });
  });

  it('uses an SMTP server given to up instead of the catcher', async () => {
    const ctx = await context({ SMTP_URL: 'smtps://mail.example.com:465' });
    expect(loadMailerConfig(ownSettings(ctx, findNode('mailer1')!)).smtpUrl).toBe('smtps://mail.example.com:465');
  });

  it('gives a cluster planned before the Mailers free ports of their own, kept from then on', async () => {
    const ctx = await context();
    const saved = JSON.parse(await readFile(planFile(ctx.plan.dataDir), 'utf8'));
    delete saved.ports.smtp;
    delete saved.ports.mailerHealth;
    await writeFile(planFile(ctx.plan.dataDir), JSON.stringify(saved));
    const plan = (await loadPlan(ctx.plan.dataDir))!;
    const others = JSON.stringify({ ...plan.ports, smtp: undefined, mailerHealth: undefined }).match(/\d+/g)!.map(Number);
    expect([plan.ports.smtp, ...plan.ports.mailerHealth].some((p) => others.includes(p))).toBe(false);
    expect(new Set([plan.ports.smtp, ...plan.ports.mailerHealth]).size).toBe(3);
    expect((await loadPlan(ctx.plan.dataDir))!.ports).toEqual(plan.ports);
  });
});
