import { defineConfig } from 'vitest/config';

// Tests run the TypeScript sources: @gatehouse/* packages export src/*.ts under the "gatehouse-source"
// condition and dist/*.js otherwise. Setting conditions replaces Vite's defaults, so they are repeated.
const gatehouseSource = 'gatehouse-source';
const sources = {
  resolve: { conditions: [gatehouseSource, 'module', 'node', 'development|production'] },
  ssr: { resolve: { conditions: [gatehouseSource, 'module', 'node', 'development|production'] } },
};

export default defineConfig({
  test: {
    projects: [
      {
        ...sources,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'tools/*/test/**/*.test.ts'],
        },
      },
      {
        ...sources,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/cluster/**'],
          globalSetup: ['test/harness/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        // npm run test:chaos: one local HA cluster (npm run cluster) for every file, broken on purpose.
        ...sources,
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          globalSetup: ['test/cluster/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
