import { randomUUID } from 'node:crypto';
import type { ScenarioName } from './args.js';
import type { Scenario } from './load.js';

/** Every seeded and registered user has this password (not common, not the email). */
export const PASSWORD = 'bench: correct horse battery staple 7';
/** Login users, seeded before the run (seed.ts); virtual user n logs in as loginEmail(n % LOGIN_USERS). */
export const LOGIN_USERS = 1000;

/** Per run, so the same database (the cluster's) can take several runs. */
export const RUN_ID = randomUUID().slice(0, 8);
export const loginEmail = (n: number) => `login-${RUN_ID}-${n}@bench.example.com`;

/** The scenarios of issue 9, each as a browser does it. */
export function scenario(name: ScenarioName, concurrency: number): Scenario {
  switch (name) {
    case 'register':
      return {
        name,
        op: 'GET /register, POST /register (unique email)',
        expect: 303,
        run: (b, vu, i) => (b.clear(), b.submit('/register', { email: `r-${RUN_ID}-${concurrency}-${vu}-${i}@bench.example.com`, password: PASSWORD })),
      };
    case 'login':
      return {
        name,
        op: 'GET /login, POST /login (fresh cookies each time)',
        expect: 303,
        run: (b, vu, i) => (b.clear(), b.submit('/login', { email: loginEmail((vu * 7919 + i) % LOGIN_USERS), password: PASSWORD })),
      };
    case 'secret':
      return {
        name,
        op: 'GET /secret with a session',
        expect: 200,
        async setup(b, vu) {
          const res = await b.submit('/login', { email: loginEmail(vu % LOGIN_USERS), password: PASSWORD });
          if (res.status !== 303) throw new Error(`setup login for /secret answered ${res.status}`);
        },
        run: (b) => b.get('/secret'),
      };
    case 'home':
      return { name, op: 'GET / without a session', expect: 200, run: (b) => b.get('/') };
  }
}
