import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fetch } from 'undici';
import type { Page } from 'playwright-core';
import { FormClient } from '../support/form-client.js';
import { startNpmStart, type NpmStart } from '../support/npm-start.js';
import { launchChromium } from '../support/chromium.js';
import { checkPage, watchCsp } from '../support/page-checks.js';
import { scrape, type Scrape } from '../support/prometheus.js';
import { SOURCE_CONDITION, spawnProcess, spawnService, TSX } from '../support/service-process.js';

/**
 * Issue 11 §1 and §3 in `npm start`'s embedded mode: one process, the in-process bus and PGlite.
 * /status reports what that bus and database know; /metrics carries both tiers' series.
 */
const ADMIN_TOKEN = `embedded-${randomUUID()}`;
let running: NpmStart;

interface Report {
  transport: string;
  tiers: { name: string; health: string; replicas: { id: string; health: string }[] }[];
  backEnd: { ok: boolean; status: { database: { source: string; nodes: unknown[]; note?: string }; authEvents: { event: string }[] } };
  broker: { available: boolean; reason?: string };
  traffic: { requests: number }[];
  sections: { id: string; title: string; note?: string; rows: string[][] }[];
}

/** Registers a new user through the Front End's form; resolves with the email. */
async function register(prefix: string): Promise<string> {
  const email = `${prefix}-${randomUUID()}@example.com`;
  expect((await new FormClient(running.url).submit('/register', { email, password: 'embedded status password' })).status).toBe(303);
  return email;
}

async function statusReport(): Promise<Report> {
  const res = await fetch(`${running.url}/status.json`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Report;
}

/** A table row as the terminal prints it: its cells in order, padded apart; empty cells print nothing. */
const printedRow = (cells: string[]) =>
  new RegExp(cells.filter((c) => c !== '').map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+'));

beforeAll(async () => {
  running = await startNpmStart('services/all-in-one/src/main.ts', { ADMIN_TOKEN });
});
afterAll(async () => {
  await running?.stop();
});

it('shows the in-process bus, the embedded database and the registration just made', async () => {
  expect((await fetch(`${running.url}/status.json`)).status).toBe(401);
  await register('e');

  const report = await statusReport();
  expect(report.transport).toBe('in-process');
  expect(report.broker).toEqual({ available: false, reason: expect.stringContaining('in-process') });
  expect(report.tiers.map((t) => [t.name, t.health])).toEqual([['Front End', 'ok'], ['Back End', 'ok'], ['Messaging', 'ok'], ['Database', 'ok']]);
  expect(report.backEnd.ok).toBe(true);
  expect(report.backEnd.status.database).toMatchObject({ source: 'embedded', note: expect.stringContaining('no standbys') });
  // Newest first: the registration's verification request, then the registration itself.
  expect(report.backEnd.status.authEvents.slice(0, 2)).toContainEqual(expect.objectContaining({ event: 'register' }));
  expect(report.traffic.reduce((n, m) => n + m.requests, 0)).toBeGreaterThanOrEqual(2);

  const page = await fetch(`${running.url}/status`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('in-process (npm start)');
});

it('serves both tiers\' metrics on the one /metrics', async () => {
  // Counted from before this test's own registration, so other tests' registrations do not matter.
  const registrations = (metrics: Scrape) => ({
    backEnd: metrics.value('gatehouse_backend_requests_total', { action: 'REGISTER', outcome: 'success' }) ?? 0,
    frontEnd: metrics.value('gatehouse_http_request_duration_seconds_count', { route: '/register', method: 'POST', status: '303' }) ?? 0,
  });
  const before = registrations(await scrape(`${running.url}/metrics`, ADMIN_TOKEN));
  await register('m');
  const metrics = await scrape(`${running.url}/metrics`, ADMIN_TOKEN);
  expect(registrations(metrics)).toEqual({ backEnd: before.backEnd + 1, frontEnd: before.frontEnd + 1 });
  expect(metrics.value('gatehouse_db_query_duration_seconds_count', { pool: 'read_write', outcome: 'ok' })).toBeGreaterThan(0);
});

it('npm run status prints the same picture in the terminal, and refuses bad arguments with exit code 2', async () => {
  await register('cli');
  const report = await statusReport();
  const cli = spawnService('services/front-end/src/status/cli.ts', { ADMIN_TOKEN, GATEHOUSE_URL: running.url });
  expect(await cli.exited).toBe(0);
  const output = cli.output();
  // Every section of /status, in the page's order, each with its note and its rows.
  const titles = report.sections.map((section) => output.indexOf(section.title.toUpperCase()));
  expect(titles.every((at) => at >= 0) && titles.every((at, i) => i === 0 || at > titles[i - 1]!), output).toBe(true);
  for (const section of report.sections) {
    if (section.id === 'traffic') continue; // its counts move with every request, the CLI's own included
    if (section.note) expect(output).toContain(section.note);
    for (const row of section.rows) expect(output).toMatch(printedRow(row));
  }
  // Rows to compare, so the loop above checked something: this test's registration among them.
  expect(report.sections.find((section) => section.id === 'events')?.rows.map((row) => row[1])).toContain('register');
  const bad = spawnProcess(TSX, [SOURCE_CONDITION, 'services/front-end/src/status/cli.ts', '--watch', 'often'], { ADMIN_TOKEN });
  expect(await bad.exited).toBe(2);
  expect(bad.output()).toContain('Usage: npm run status');
  const wrong = spawnService('services/front-end/src/status/cli.ts', { ADMIN_TOKEN: `${ADMIN_TOKEN}-wrong`, GATEHOUSE_URL: running.url });
  expect(await wrong.exited).toBe(1);
  expect(wrong.output()).toContain('refused the token');
});

it('in a browser: the form lets the operator in, and the script redraws the page from /status.json', async () => {
  const chromium = await launchChromium();
  try {
    await register('b');
    const page = await chromium.browser.newPage({ baseURL: running.url });
    const problems: string[] = [];
    // Script errors and CSP refusals; the form page's own 401 and a missing favicon are not problems.
    page.on('console', (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && problems.push(message.text()));
    page.on('pageerror', (err) => problems.push(err.message));
    const refused = watchCsp(page);
    await page.goto('/status');
    await page.fill('input[name=token]', ADMIN_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForURL(`${running.url}/status`);
    expect(await page.textContent('#status-tiers')).toContain('Back End');
    const first = await page.getAttribute('#status-generated', 'datetime');
    // A reload would lose this; the script's swap keeps it (no flicker).
    await page.evaluate('window.notReloaded = true');
    // The script replaces this text once its first poll has been drawn.
    await page.waitForSelector('#status-refresh:has-text("live")', { timeout: 30_000 });
    expect(await page.getAttribute('#status-generated', 'datetime')).not.toBe(first);
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(await page.textContent('#status-events')).toContain('register');
    // The drawing: one box per tier, in-process, this process marked.
    expect(await page.locator('svg.topology-wide .box').count()).toBe(4);
    expect(await page.getAttribute('svg.topology-wide [data-tier="front-end"] .box', 'data-marks')).toBe('this one');
    expect(await page.textContent('svg.topology-wide [data-tier="messaging"]')).toContain('in-process');
    expect(await page.locator('#status-charts svg[role="img"]').count()).toBe(6);
    expect(await headerLinesUp(page)).toEqual({ left: 0, right: 0 });
    await checkPage(page, 'status-embedded');
    expect(refused, 'the CSP refused nothing').toEqual([]);
    expect(problems).toEqual([]);
  } finally {
    await chromium.close();
  }
});

/**
 * How far the header's content (the site title, the navigation) sits from the page's content,
 * left and right, in px: 0 and 0 when they line up.
 */
function headerLinesUp(page: Page): Promise<{ left: number; right: number }> {
  return page.evaluate(`(() => {
    const inner = (selector) => {
      const element = document.querySelector(selector);
      const rect = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return { left: rect.left + parseFloat(style.paddingLeft), right: rect.right - parseFloat(style.paddingRight) };
    };
    const nav = inner('.nav');
    const main = inner('main');
    return { left: Math.round(nav.left - main.left), right: Math.round(nav.right - main.right) };
  })()`);
}

it('without JavaScript, the page reloads itself', async () => {
  const chromium = await launchChromium();
  try {
    const context = await chromium.browser.newContext({ baseURL: running.url, javaScriptEnabled: false, extraHTTPHeaders: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const page = await context.newPage();
    await page.goto('/status');
    expect(await page.getAttribute('meta[http-equiv=refresh]', 'content')).toMatch(/^\d+$/);
  } finally {
    await chromium.close();
  }
});
