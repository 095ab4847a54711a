import pino from 'pino';
import { afterEach, beforeEach } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadFrontEndConfig } from '../src/config.js';
import { FakeRpc } from './fake-rpc.js';

export const TEST_ENV = {
  AMQP_URL: 'amqp://gatehouse:a-real-test-password@localhost:5672',
  SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
  LOG_LEVEL: 'silent',
};

export async function makeApp(
  rpc = new FakeRpc(),
  env: Record<string, string> = {},
): Promise<{ app: FastifyInstance; rpc: FakeRpc }> {
  const config = loadFrontEndConfig({ ...TEST_ENV, ...env });
  // No answer floor: the fuzz posts hundreds of forms; password-reset.test shows the floor on real servers.
  const app = await buildApp({ rpc, config, logger: pino({ level: 'silent' }), uniformAnswerMs: 0 });
  return { app, rpc };
}

export interface TestApp {
  app: FastifyInstance;
  rpc: FakeRpc;
  browser: Browser;
}

/** A fresh app, fake Back End and browser for every test of the file; `use` receives them. */
export function useFreshApp(use: (made: TestApp) => void): void {
  let app: FastifyInstance | undefined;
  beforeEach(async () => {
    const made = await makeApp();
    app = made.app;
    use({ ...made, browser: new Browser(made.app) });
  });
  afterEach(() => app?.close());
}

export const USER_AGENT = 'vitest-browser/1.0';

/** A minimal cookie jar: enough to carry the session cookie across injected requests. */
export class Browser {
  cookies = new Map<string, string>();

  /** `ip` is the client address the app sees (for rate limits and the audit log). */
  constructor(
    readonly app: FastifyInstance,
    readonly ip = '127.0.0.1',
  ) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.#keep(await this.app.inject({ method: 'GET', url, headers: this.#headers(), remoteAddress: this.ip }));
  }

  async post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.#keep(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { ...this.#headers(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(form).toString(),
        remoteAddress: this.ip,
      }),
    );
  }

  /** GETs a form page (`from`, by default the form's own address) and POSTs its CSRF token, like a browser. */
  async submit(url: string, form: Record<string, string>, from = url): Promise<LightMyRequestResponse> {
    const page = await this.get(from);
    return this.post(url, { _csrf: csrfToken(page.body), ...form });
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
    return headers;
  }

  #keep(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number }>) {
      if (c.value === '' || c.maxAge === 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }
}

export function csrfToken(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no _csrf input in page');
  return match[1];
}
