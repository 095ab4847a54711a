import { Agent, fetch, type Headers, type RequestInit } from 'undici';

export interface Page {
  status: number;
  body: string;
  location: string | null;
  headers: Headers;
  /** Raw Set-Cookie lines, for checking cookie attributes. */
  setCookies: string[];
}

// Test servers use self-signed certificates; this agent is only ever pointed at loopback.
const selfSigned = new Agent({ connect: { rejectUnauthorized: false } });

/**
 * A minimal browser stand-in for HTTP tests: keeps cookies, reads the CSRF token from a
 * form, and posts forms without following redirects.
 */
export class FormClient {
  readonly #cookies = new Map<string, string>();
  /** Every CSRF token this client has submitted, oldest first. */
  readonly csrfTokens: string[] = [];

  constructor(readonly baseUrl: string, private readonly extraHeaders: Record<string, string> = {}) {}

  /** The current value of a cookie this client holds. */
  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  get(path: string): Promise<Page> {
    return this.#send(path, { method: 'GET' });
  }

  /** GETs `path` for its CSRF token, then POSTs `fields` with it. */
  async submit(path: string, fields: Record<string, string>, formPath = path): Promise<Page> {
    return this.post(path, { ...fields, _csrf: await this.formToken(formPath) });
  }

  /** GETs the form at `formPath` and returns its CSRF token (kept in csrfTokens). */
  async formToken(formPath: string): Promise<string> {
    const page = await this.get(formPath);
    const token = /name="_csrf"\s+value="([^"]+)"/.exec(page.body)?.[1] ?? /value="([^"]+)"\s+name="_csrf"/.exec(page.body)?.[1];
    if (!token) throw new Error(`No _csrf field on ${formPath}:\n${page.body.slice(0, 500)}`);
    this.csrfTokens.push(token);
    return token;
  }

  /** POSTs a form as it is, token or not. */
  post(path: string, fields: Record<string, string>): Promise<Page> {
    return this.#send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async #send(path: string, init: RequestInit): Promise<Page> {
    const res = await fetch(this.baseUrl + path, {
      ...init,
      headers: { ...this.extraHeaders, ...(init.headers as Record<string, string>), ...this.#cookieHeader() },
      redirect: 'manual',
      dispatcher: this.baseUrl.startsWith('https:') ? selfSigned : undefined,
    });
    this.#remember(res);
    const setCookies = res.headers.getSetCookie();
    return { status: res.status, body: await res.text(), location: res.headers.get('location'), headers: res.headers, setCookies };
  }

  #cookieHeader(): Record<string, string> {
    const cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return cookie ? { cookie } : {};
  }

  #remember(res: { headers: Headers }): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}
