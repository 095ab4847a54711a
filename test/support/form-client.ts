/**
 * A minimal browser stand-in for HTTP tests: keeps cookies, reads the CSRF token from a
 * form, and posts forms without following redirects.
 */
export class FormClient {
  readonly #cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async get(path: string): Promise<{ status: number; body: string; location: string | null }> {
    const res = await fetch(this.baseUrl + path, { headers: this.#headers(), redirect: 'manual' });
    this.#remember(res);
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  }

  /** GETs `path` for its CSRF token, then POSTs `fields` with it. */
  async submit(path: string, fields: Record<string, string>): Promise<{ status: number; body: string; location: string | null }> {
    const page = await this.get(path);
    const token = /name="_csrf"\s+value="([^"]+)"/.exec(page.body)?.[1] ?? /value="([^"]+)"\s+name="_csrf"/.exec(page.body)?.[1];
    if (!token) throw new Error(`No _csrf field on ${path}:\n${page.body.slice(0, 500)}`);
    const res = await fetch(this.baseUrl + path, {
      method: 'POST',
      headers: { ...this.#headers(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, _csrf: token }).toString(),
      redirect: 'manual',
    });
    this.#remember(res);
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  }

  #headers(): Record<string, string> {
    const cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return cookie ? { cookie } : {};
  }

  #remember(res: Response): void {
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
