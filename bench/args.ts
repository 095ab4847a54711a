import { parseArgs } from 'node:util';

export const SCENARIOS = ['register', 'login', 'secret', 'home'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  quick: boolean;
  cluster: boolean;
  /** Seconds of measured load per scenario and concurrency level. */
  seconds: number;
  /** Seconds of unmeasured load before each measurement, so pools and JITs are warm. */
  warmupSeconds: number;
  concurrency: number[];
  scenarios: ScenarioName[];
  seedUsers: number;
  out: string;
  markdown: string | undefined;
  /** A folder for the services' V8 CPU profiles (node --cpu-prof), or none. */
  profile: string | undefined;
  /** Calls per second for the paced echo yardstick (0: not measured). */
  pacedEcho: number;
  /** A Docker image whose RabbitMQ the harness uses instead of this machine's rabbitmq-server. */
  rabbitmqImage: string | undefined;
}

export const USAGE = `Usage: npm run bench -- [options]
  --quick               short run: concurrency 1 and 8, 2 s each, short yardsticks
  --seconds N           measured seconds per scenario and concurrency (default 10; quick 2)
  --warmup N            unmeasured seconds before each (default 2; quick 0.5)
  --concurrency LIST    comma-separated virtual users, e.g. 1,8,32,128 (the default)
  --scenarios LIST      any of ${SCENARIOS.join(',')} (default: all)
  --seed-users N        COPY N users into the table, then measure login again (0 = off)
  --cluster             run against the local cluster (npm run cluster), starting it if needed
  --out FILE            the JSON report (default bench/results/latest.json)
  --markdown FILE       also write the Markdown table to FILE
  --profile DIR         the harness's Front End, Back End and echo server write CPU profiles
                        (node --cpu-prof) under DIR/<service>/ (open them in Chrome DevTools)
  --paced-echo RATE     also time the echo at a steady RATE calls/s, its server on its own
                        connection and on the caller's: the broker's CPU per call (0 = off)
  --rabbitmq-image IMG  the harness's broker is a container of IMG on the host network (e.g.
                        gatehouse/messaging:latest, RabbitMQ 4.0) instead of this machine's
                        rabbitmq-server (needs dockerd and the image; docs/benchmarks.md)
  --help                this text`;

/** Thrown for arguments we refuse; the entry point prints it and exits 2. */
export class UsageError extends Error {}

function positive(name: string, text: string, { integer = true, min = 1, max = Number.MAX_SAFE_INTEGER } = {}): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not "${text}"`);
  }
  return value;
}

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean', default: false },
        cluster: { type: 'boolean', default: false },
        seconds: { type: 'string' },
        warmup: { type: 'string' },
        concurrency: { type: 'string' },
        scenarios: { type: 'string' },
        'seed-users': { type: 'string', default: '0' },
        out: { type: 'string', default: 'bench/results/latest.json' },
        markdown: { type: 'string' },
        profile: { type: 'string' },
        'paced-echo': { type: 'string', default: '0' },
        'rabbitmq-image': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const quick = v.quick ?? false;
  const concurrency = (v.concurrency ?? (quick ? '1,8' : '1,8,32,128')).split(',').map((c) => positive('concurrency', c, { max: 4096 }));
  const scenarios = (v.scenarios ?? SCENARIOS.join(',')).split(',').map((s) => {
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new UsageError(`--scenarios: unknown scenario "${s}" (known: ${SCENARIOS.join(', ')})`);
    return s as ScenarioName;
  });
  if (v.cluster && v.profile !== undefined) throw new UsageError('--profile works with the harness only: the local cluster starts its own services');
  if (v.cluster && v['rabbitmq-image'] !== undefined) throw new UsageError('--rabbitmq-image works with the harness only: the local cluster runs its own RabbitMQ nodes');
  if (v['rabbitmq-image'] !== undefined && !/^[a-z0-9][a-z0-9._\/:@-]{0,254}$/.test(v['rabbitmq-image'])) {
    throw new UsageError(`--rabbitmq-image must be an image name such as gatehouse/messaging:latest, not "${v['rabbitmq-image']}"`);
  }
  return {
    quick,
    cluster: v.cluster ?? false,
    seconds: positive('seconds', v.seconds ?? (quick ? '2' : '10'), { integer: false, min: 0.1, max: 3600 }),
    warmupSeconds: positive('warmup', v.warmup ?? (quick ? '0.5' : '2'), { integer: false, min: 0, max: 600 }),
    concurrency,
    scenarios,
    seedUsers: positive('seed-users', v['seed-users'] ?? '0', { min: 0, max: 100_000_000 }),
    out: v.out ?? 'bench/results/latest.json',
    markdown: v.markdown,
    profile: v.profile,
    pacedEcho: positive('paced-echo', v['paced-echo'] ?? '0', { min: 0, max: 5000 }),
    rabbitmqImage: v['rabbitmq-image'],
  };
}
