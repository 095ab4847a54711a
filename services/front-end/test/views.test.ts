import { expect, it, vi } from 'vitest';
import { makeApp } from './helpers.js';

// Counts Eta compilations: the app must compile each template once, not at every render.
const compiled = vi.hoisted(() => ({ count: 0 }));
vi.mock('eta', async (importOriginal) => {
  const { Eta } = await importOriginal<typeof import('eta')>();
  class CountingEta extends Eta {
    constructor(...args: ConstructorParameters<typeof Eta>) {
      super(...args);
      const compile = this.compile;
      this.compile = (...compileArgs: Parameters<typeof compile>) => {
        compiled.count++;
        return compile.apply(this, compileArgs);
      };
    }
  }
  return { Eta: CountingEta };
});

it('compiles each template once, outside production mode too', async () => {
  expect(process.env.NODE_ENV).not.toBe('production');
  const { app } = await makeApp();
  const first = await app.inject('/login');
  expect(first.statusCode).toBe(200);
  const afterFirst = compiled.count;
  expect(afterFirst).toBeGreaterThan(0);
  for (let i = 0; i < 3; i++) expect((await app.inject('/login')).statusCode).toBe(200);
  await app.close();
  expect(compiled.count).toBe(afterFirst);
});
