import { fetch } from 'undici';

/** One scrape: the exposition text and a reader for its samples. */
export interface Scrape {
  text: string;
  /** The value of `name{labels}` (labels matched as a subset), or undefined when no such sample exists. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

/** Reads Prometheus text: `name{a="b",...} value` lines, comments skipped. */
export function parseScrape(text: string): Scrape {
  const samples = text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
      if (!match) throw new Error(`Not a Prometheus sample: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
  return {
    text,
    value(name, labels = {}) {
      const found = samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      return found?.value;
    },
  };
}

/** GETs a /metrics URL (with the admin token when given) and parses it; throws unless 200. */
export async function scrape(url: string, token?: string): Promise<Scrape> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${text.slice(0, 200)}`);
  if (!res.headers.get('content-type')?.startsWith('text/plain')) throw new Error(`${url}: content-type ${res.headers.get('content-type')}`);
  return parseScrape(text);
}
