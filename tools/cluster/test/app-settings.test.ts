import { describe, expect, it } from 'vitest';
import { loadBackEndConfig } from '@gatehouse/back-end/config';
import { loadFrontEndConfig } from '@gatehouse/front-end/config';
import { ownSettings } from '../src/nodes/app.js';
import { findNode } from '../src/plan.js';
import { plannedContext } from './planned-context.js';

// No servers: what the cluster would give its Front Ends and Back Ends, read by their own config modules.
const context = () => plannedContext();

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
