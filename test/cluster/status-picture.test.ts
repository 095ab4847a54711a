import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { clusterStatus } from '@gatehouse/cluster';
import { launchChromium } from '../support/chromium.js';
import { checkPage, watchCsp } from '../support/page-checks.js';
import { appUrl, cliOk, openCluster, primaryOf, waitUntilWhole } from './cluster-helpers.js';

/**
 * Issue 21 in a failover drill: the primary is killed, and the picture on /status (what the
 * page's script swaps in, /status/live) draws the primary on the new node, the old one down,
 * and a mark on the charts where the primary changed. The page, mid-drill, passes axe
 * (screenshots: status-cluster-primary-killed.*.png).
 */
it('kill -9 of the primary: /status draws the primary moving to the new node', async () => {
  await cliOk('up'); // whatever an earlier file left stopped
  const cluster = await openCluster();
  const [old] = primaryOf(await waitUntilWhole(cluster));
  const headers = { authorization: `Bearer ${cluster.ctx.secrets.adminToken}` };
  const drawn = async () => {
    const html = await (await fetch(`${appUrl(cluster)}/status/live`, { headers })).text();
    return { html, primary: html.match(/data-id="([^"]+)" data-marks="primary"/)?.[1] };
  };
  // Every Front End behind the load balancer reads the primary once before the kill, so each can see it change.
  for (let i = 0; i < 6; i++, await sleep(700)) expect((await drawn()).primary).toBe(old!.name);

  let seen = await drawn();
  try {
    await cliOk('kill', old!.name);
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(1000)) {
      seen = await drawn();
      if (seen.primary && seen.primary !== old!.name && seen.html.includes('class="event-line"')) break;
    }
    const [now] = primaryOf(await clusterStatus(cluster.ctx));
    expect(seen.primary).toBe(now?.name);
    // Patroni drops a killed member from /cluster once its key expires: drawn as not healthy, or gone.
    expect(seen.html).not.toMatch(new RegExp(`class="box h-ok[^"]*" data-id="${old!.name}"`));
    expect(seen.html).toContain(`primary → ${now?.name}`);
    await screenshotMidDrill(appUrl(cluster), headers);
  } finally {
    await cliOk('start', old!.name);
  }
  await waitUntilWhole(cluster);
});

/** The page with one node down, in both colour schemes and both widths, checked like every page. */
async function screenshotMidDrill(baseURL: string, headers: Record<string, string>): Promise<void> {
  const chromium = await launchChromium();
  try {
    const context = await chromium.browser.newContext({ baseURL, extraHTTPHeaders: headers });
    const page = await context.newPage();
    const refused = watchCsp(page);
    expect((await page.goto('/status'))?.status()).toBe(200);
    await checkPage(page, 'status-cluster-primary-killed');
    expect(refused).toEqual([]);
  } finally {
    await chromium.close();
  }
}
