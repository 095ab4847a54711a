import { Pool } from 'undici';

export interface Response {
  status: number;
  body: string;
}

/**
 * A lean browser stand-in for load: one cookie jar, requests over a shared keep-alive pool.
 * Lighter than fetch (test/support/form-client.ts), so the load generator costs less CPU.
 */
export class Browser {
  readonly #cookies = new Map<string, string>();

  constructor(private readonly pool: Pool) {}

  clear(): void {
    this.#cookies.clear();
  }

  get(path: string): Promise<Response> {
    return this.#send('GET', path);
  }

  /** GETs the form for its CSRF token, then POSTs the fields with it: what a browser does. */
  async submit(path: string, fields: Record<string, string>): Promise<Response> {
    const form = await this.get(path);
    if (form.status !== 200) return form;
    const token = /name="_csrf"\s+value="([^"]+)"/.exec(form.body)?.[1] ?? /value="([^"]+)"\s+name="_csrf"/.exec(form.body)?.[1];
    if (!token) throw new Error(`no _csrf field on ${path}`);
    return this.#send('POST', path, new URLSearchParams({ ...fields, _csrf: token }).toString());
  }

  async #send(method: 'GET' | 'POST', path: string, body?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.#cookies.size > 0) headers.cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await this.pool.request({ method, path, headers, body });
    this.#remember(res.headers['set-cookie']);
    return { status: res.statusCode, body: await res.body.text() };
  }

  #remember(lines: string | string[] | undefined): void {
    for (const line of typeof lines === 'string' ? [lines] : (lines ?? [])) {
      const pair = line.split(';', 1)[0]!;
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}
