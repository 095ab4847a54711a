import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

/** Every page's screenshots land here (git-ignored), one per colour scheme and width. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));

/** The narrowest phone the pages must work on, and a desktop. */
export const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: '320px', width: 320, height: 640 },
] as const;
export const COLOR_SCHEMES = ['light', 'dark'] as const;

interface Violation {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/**
 * Checks the page as it is now in each colour scheme and at each width: zero serious or
 * critical axe-core violations, nothing wider than the window, and a full-page screenshot
 * saved as `<name>.<scheme>.<width>.png`. The page is left in light mode at desktop width.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const colorScheme of COLOR_SCHEMES) {
    for (const viewport of VIEWPORTS) {
      const variant = `${name} in ${colorScheme} mode at ${viewport.name}`;
      await page.emulateMedia({ colorScheme });
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      expect(await seriousViolations(page), variant).toEqual([]);
      expect(await overflowingWidth(page), `${variant}: nothing may be wider than the window`).toBe(0);
      await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.${colorScheme}.${viewport.name}.png`, fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(VIEWPORTS[0]);
}

/**
 * Runs axe-core in the page. Evaluated through the DevTools protocol rather than added as a
 * <script> element: the pages' CSP (rightly) refuses inline scripts, and turning the CSP off
 * for the test would hide whether our own script still runs under it.
 */
async function seriousViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const { axe: inPage, document } = globalThis as unknown as { axe: typeof axe; document: axe.ElementContext };
    const results = await inPage.run(document, { resultTypes: ['violations'] });
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/** How many pixels the page is wider than its window (0: no sideways scrolling). */
function overflowingWidth(page: Page): Promise<number> {
  return page.evaluate<number>('Math.max(0, document.documentElement.scrollWidth - window.innerWidth)');
}

/** Collects the page's Content-Security-Policy violations: an asset or script the CSP refused. */
export function watchCsp(page: Page): string[] {
  const refused: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
  });
  return refused;
}
