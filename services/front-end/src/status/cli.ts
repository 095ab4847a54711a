/**
 * `npm run status`: the /status picture in a terminal. Reads /status.json from a Front End
 * (--url, or GATEHOUSE_URL, or npm start's default address) with ADMIN_TOKEN as a Bearer token.
 */
import { parseArgs } from 'node:util';
import { terminalPicture } from './terminal.js';
import type { Section } from './types.js';

/** --watch without a number redraws this often. */
const WATCH_DEFAULT_SECONDS = 5;

export const USAGE = `Usage: npm run status -- [--url <front end URL>] [--json] [--watch [seconds]]

Prints what the Front End's /status shows: the topology and each replica's health, the last
hour's traffic as one-line charts, then the tables: tiers and replicas, the database, RabbitMQ,
traffic and recent auth events. --watch redraws it every ${WATCH_DEFAULT_SECONDS} seconds (or as many as given),
in colour on a terminal (unless NO_COLOR is set). The URL defaults to GATEHOUSE_URL, else
http://127.0.0.1:3000 (npm start). The admin token is read from ADMIN_TOKEN.`;

export interface StatusArgs {
  url: string;
  token: string;
  json: boolean;
  /** Print again every this many seconds; undefined: once. */
  watchSeconds?: number;
  help: boolean;
}

/** Parses the command line and environment; throws an Error whose message is meant for the user. */
export function parseStatusArgs(argv: string[], env: Record<string, string | undefined>): StatusArgs {
  const { values, positionals } = parseArgs({
    args: withWatchDefault(argv),
    options: { url: { type: 'string' }, json: { type: 'boolean' }, watch: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
  const help = values.help ?? false;
  const url = (values.url ?? env.GATEHOUSE_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(url) || !URL.canParse(url)) throw new Error(`--url must be an http:// or https:// URL, not "${url}"`);
  let watchSeconds: number | undefined;
  if (values.watch !== undefined) {
    watchSeconds = Number(values.watch);
    if (!/^\d+$/.test(values.watch) || watchSeconds < 1 || watchSeconds > 3600) throw new Error('--watch must be a whole number of seconds between 1 and 3600');
  }
  const token = env.ADMIN_TOKEN ?? '';
  if (token === '' && !help) throw new Error('ADMIN_TOKEN is not set: export the Front End\'s admin token first');
  return { url, token, json: values.json ?? false, help, ...(watchSeconds ? { watchSeconds } : {}) };
}

/** A bare --watch (last, or followed by another option) means every WATCH_DEFAULT_SECONDS. */
function withWatchDefault(argv: string[]): string[] {
  return argv.flatMap((arg, i) => (arg === '--watch' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('-')) ? [arg, String(WATCH_DEFAULT_SECONDS)] : [arg]));
}

type Printable = { generatedAt: string; transport: string; sections: Section[] } & Partial<Parameters<typeof terminalPicture>[0]>;

/** The report as text: the picture (when the report has the facts for it), then the sections as tables. */
export function formatReport(report: Printable, url: string, { color = false } = {}): string {
  const header = `Gatehouse at ${url}, ${report.generatedAt.replace('T', ' ').slice(0, 19)} UTC (messages ${report.transport === 'amqp' ? 'over RabbitMQ' : 'in-process'})`;
  const { tiers, traffic, backEnd, primaryChanges } = report;
  const picture = tiers && traffic && backEnd ? [terminalPicture({ generatedAt: report.generatedAt, tiers, traffic, backEnd, primaryChanges: primaryChanges ?? [] }, { color })] : [];
  return [header, ...picture, ...report.sections.map(formatSection)].join('\n\n');
}

function formatSection(section: Section): string {
  const lines = [section.title.toUpperCase()];
  if (section.note) lines.push(`  ${section.note}`);
  if (section.rows.length === 0) return lines.join('\n');
  const widths = section.columns.map((c, i) => Math.max(c.length, ...section.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  lines.push(line(section.columns), ...section.rows.map(line));
  return lines.join('\n');
}

/** Fetches and prints once; resolves with the exit code. */
async function printOnce(args: StatusArgs): Promise<number> {
  let res: Response;
  try {
    res = await fetch(`${args.url}/status.json`, { headers: { authorization: `Bearer ${args.token}` }, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    console.error(`status: cannot reach ${args.url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
    return 1;
  }
  if (res.status === 401) return console.error(`status: ${args.url} refused the token: ADMIN_TOKEN is not that Front End's admin token`), 1;
  if (res.status === 404) return console.error(`status: ${args.url} has no /status.json: its ADMIN_TOKEN is unset, or it is not a Gatehouse Front End`), 1;
  if (!res.ok) return console.error(`status: ${args.url}/status.json answered HTTP ${res.status}`), 1;
  const report = (await res.json()) as Printable;
  console.log(args.json ? JSON.stringify(report, null, 2) : formatReport(report, args.url, { color: useColor() }));
  return 0;
}

export async function runStatus(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  let args: StatusArgs;
  try {
    args = parseStatusArgs(argv, env);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) return console.log(USAGE), 0;
  if (!args.watchSeconds) return printOnce(args);
  for (let frame = 0; ; frame++) {
    // A terminal is redrawn in place; a pipe or a log gets one picture after another.
    if (process.stdout.isTTY) process.stdout.write('\x1b[H\x1b[2J');
    else if (frame > 0) console.log(`\n${'-'.repeat(72)}\n`);
    await printOnce(args);
    await new Promise((resolve) => setTimeout(resolve, args.watchSeconds! * 1000));
  }
}

/** Colour on a terminal, unless NO_COLOR (no-color.org) says otherwise. */
const useColor = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

if (import.meta.url === `file://${process.argv[1]}`) {
  runStatus(process.argv.slice(2), process.env).then((code) => process.exit(code));
}
