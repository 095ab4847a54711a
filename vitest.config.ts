import { defineConfig } from 'vitest/config';

// Tests run the TypeScript sources: @gatehouse/* packages export src/*.ts under the "gatehouse-source"
// condition and dist/*.js otherwise. Every Vite environment needs it, including the one Vitest creates
// for global setup files, which inherits no top-level conditions; setting them replaces Vite's
// defaults for servers, so those are repeated.
const conditions = ['gatehouse-source', 'module', 'node', 'development|production'];
const sources = {
  name: 'gatehouse-source',
  configEnvironment(_name: string, config: { resolve?: { conditions?: string[] } }) {
    config.resolve = { ...config.resolve, conditions };
  },
};

/** The page-by-page browser checks and the passkey ceremonies in Chromium: their own project, npm run test:browser. */
const BROWSER_PAGES = ['test/e2e/pages.test.ts', 'test/e2e/passkeys.test.ts'];
/** Files that share the harness's RabbitMQ and PostgreSQL run one at a time. */
const ON_THE_HARNESS = { globalSetup: ['test/harness/global-setup.ts'], fileParallelism: false, testTimeout: 60_000, hookTimeout: 180_000 };

export default defineConfig({
  plugins: [sources],
  test: {
    projects: [
      {
        plugins: [sources],
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'tools/*/test/**/*.test.ts'],
        },
      },
      {
        plugins: [sources],
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/cluster/**', 'test/deploy-live/**', ...BROWSER_PAGES],
          ...ON_THE_HARNESS,
        },
      },
      {
        // npm run test:browser: every page in Chromium with axe-core, both colour schemes, both
        // widths (about 3 minutes), run by .ci/run after npm test, which it would push past 15 minutes.
        plugins: [sources],
        test: {
          name: 'browser',
          include: BROWSER_PAGES,
          ...ON_THE_HARNESS,
        },
      },
      {
        // npm run test:chaos: one local HA cluster (npm run cluster) for every file, broken on purpose.
        plugins: [sources],
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          globalSetup: ['test/cluster/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 300_000,
        },
      },
      {
        // npm run test:deploy: the images and compose files for real, on a Docker engine (started if
        // none runs). Its files share that engine, so they run one after another.
        plugins: [sources],
        test: {
          name: 'deploy',
          include: ['test/deploy-live/**/*.test.ts'],
          globalSetup: ['test/deploy-live/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 25 * 60_000,
        },
      },
    ],
  },
});
