import pino from 'pino';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadFrontEndConfig } from '../src/config.js';
import { FakeRpc } from './fake-rpc.js';

export const TEST_ENV = {
  AMQP_URL: 'amqp://guest:guest@localhost:5672',
  SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
  LOG_LEVEL: 'silent',
};

export async function makeApp(
  rpc = new FakeRpc(),
  env: Record<string, string> = {},
): Promise<{ app: FastifyInstance; rpc: FakeRpc }> {
  const config = loadFrontEndConfig({ ...TEST_ENV, ...env });
  const app = await buildApp({ rpc, config, logger: pino({ level: 'silent' }) });
  return { app, rpc };
}

/** A minimal cookie jar: enough to carry the session cookie across injected requests. */
export class Browser {
  cookies = new Map<string, string>();

  constructor(readonly app: FastifyInstance) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.#keep(await this.app.inject({ method: 'GET', url, headers: this.#headers() }));
  }

  async post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.#keep(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { ...this.#headers(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(form).toString(),
      }),
    );
  }

  /** GETs a form page and POSTs to it with the page's CSRF token, like a browser would. */
  async submit(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    const page = await this.get(url);
    return this.post(url, { _csrf: csrfToken(page.body), ...form });
  }

  #headers(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ') };
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
