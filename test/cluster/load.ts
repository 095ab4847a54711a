import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FormClient, type Page } from '../support/form-client.js';

export const PASSWORD = `chaos-${randomBytes(6).toString('hex')}-pass`;

/** One HTTP request the load sent, as the client saw it. */
export interface Sample {
  action: 'register' | 'login' | 'reset';
  /** The HTTP status, or 0 when no answer came (connection cut). */
  status: number;
  startedAt: number;
  endedAt: number;
}

export interface LoadFigures {
  sent: number;
  succeeded: number;
  failed: number;
  /** Statuses other than 200, 303 and 503 (a 500, a 401 for a registered user, …), and cut connections. */
  unexpected: Sample[];
  /** The longest time without a successful registration, in ms: the write outage. */
  longestWriteGapMs: number;
  /** The longest time without any successful request, in ms: the outage. */
  longestGapMs: number;
  slowestMs: number;
}

/** A registration or login succeeded with its redirect; "forgot password" answers 200 with its notice. */
const succeeded = (s: Sample) => s.status === (s.action === 'reset' ? 200 : 303);

/**
 * A steady load of registrations and logins through the load balancer, as a browser sends them:
 * GET the form, POST it with its CSRF token and cookie. Every registration answered 303 is
 * remembered: it must be possible to log in with it afterwards. With `resets`, every fourth
 * step asks "forgot password" for a registered address not asked for before: each such
 * address must then receive exactly one mail.
 */
export class Load {
  readonly samples: Sample[] = [];
  readonly acknowledged: string[] = [];
  /** Addresses whose reset request was answered: each is owed exactly one mail. */
  readonly resetRequested: string[] = [];
  #resetCursor = 0;
  #running = false;
  #users: Promise<void>[] = [];
  #seq = 0;

  constructor(
    private readonly appUrl: string,
    private readonly prefix: string,
    private readonly users = 3,
    private readonly pauseMs = 150,
    private readonly resets = false,
  ) {}

  start(): void {
    this.#running = true;
    this.#users = Array.from({ length: this.users }, (_, i) => this.#user(i));
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#users);
  }

  async #user(index: number): Promise<void> {
    for (let n = 0; this.#running; n++) {
      const known = this.acknowledged[Math.floor(Math.random() * this.acknowledged.length)];
      // Addresses in the order they were acknowledged, each asked for once (3 mails an hour is the limit).
      const fresh = this.acknowledged[this.#resetCursor];
      if (this.resets && n % 4 === 3 && fresh) {
        this.#resetCursor++;
        if ((await this.#send('reset', '/forgot-password', fresh)) === 200) this.resetRequested.push(fresh);
      } else if (n % 2 === 1 && known) await this.#send('login', '/login', known);
      else await this.#register(index);
      await sleep(this.pauseMs);
    }
  }

  async #register(index: number): Promise<void> {
    const email = `${this.prefix}-${index}-${this.#seq++}@chaos.example`;
    if ((await this.#send('register', '/register', email)) === 303) this.acknowledged.push(email);
  }

  /** GET the form, then POST it with the token: one sample for the POST, or for the GET when it failed. */
  async #send(action: Sample['action'], path: string, email: string): Promise<number> {
    const client = new FormClient(this.appUrl);
    const form = await this.#timed(action, () => client.get(path));
    const token = form?.status === 200 ? /name="_csrf"\s+value="([^"]+)"/.exec(form.body)?.[1] : undefined;
    if (!token) {
      this.samples.push(form?.sample ?? { action, status: 0, startedAt: Date.now(), endedAt: Date.now() });
      return form?.status ?? 0;
    }
    const answer = await this.#timed(action, () => client.post(path, { email, password: PASSWORD, _csrf: token }));
    this.samples.push(answer.sample);
    return answer.status;
  }

  async #timed(action: Sample['action'], send: () => Promise<Page>): Promise<{ status: number; body: string; sample: Sample }> {
    const startedAt = Date.now();
    let page: Page | undefined;
    try {
      page = await send();
    } catch {
      // the connection was cut: status 0
    }
    const status = page?.status ?? 0;
    return { status, body: page?.body ?? '', sample: { action, status, startedAt, endedAt: Date.now() } };
  }

  /** The figures for samples that started within [from, to]. */
  figures(from: number, to: number): LoadFigures {
    const window = this.samples.filter((s) => s.startedAt >= from && s.startedAt <= to);
    const ok = succeeded;
    return {
      sent: window.length,
      succeeded: window.filter(ok).length,
      failed: window.filter((s) => !ok(s)).length,
      unexpected: window.filter((s) => ![200, 303, 503].includes(s.status)),
      longestWriteGapMs: longestGap(window.filter((s) => s.action === 'register' && ok(s)), from, to),
      longestGapMs: longestGap(window.filter(ok), from, to),
      slowestMs: Math.max(0, ...window.map((s) => s.endedAt - s.startedAt)),
    };
  }
}

/** The longest stretch of [from, to] in which none of `successes` ended. */
function longestGap(successes: Sample[], from: number, to: number): number {
  const edges = [from, ...successes.map((s) => s.endedAt).sort((a, b) => a - b), to];
  return Math.max(0, ...edges.slice(1).map((t, i) => t - edges[i]!));
}
