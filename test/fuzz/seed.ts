/**
 * The fuzz runs are reproducible: every generated case comes from fast-check seeded with
 * this number. A failure prints the seed; run again with FUZZ_SEED=<seed> to get the very
 * same cases. FUZZ_COUNT scales the number of generated cases (default 10,000).
 */
export const DEFAULT_SEED = 20_240_903;

export function fuzzSeed(): number {
  const raw = process.env.FUZZ_SEED;
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return seed;
}

export function fuzzCount(fallback = 10_000): number {
  const raw = process.env.FUZZ_COUNT;
  if (raw === undefined || raw === '') return fallback;
  const count = Number(raw);
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`FUZZ_COUNT must be a positive integer, got ${JSON.stringify(raw)}`);
  return count;
}

/** A short, printable picture of some bytes: text where it is text, \xNN elsewhere, cut to `max`. */
export function preview(bytes: Buffer | string, max = 300): string {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  let out = '';
  for (const b of buf.subarray(0, max)) {
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return buf.length > max ? `${out}… (${buf.length} bytes)` : out;
}

/** Counts occurrences, e.g. of status codes, into a sorted plain object for printing. */
export function tally<K extends string | number>(values: Iterable<K>): Record<string, number> {
  const counts = new Map<K, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, n]) => [String(k), n]));
}

/** Failures grouped by kind, so a report shows how many of each and a few examples, not 10,000 lines. */
export class Problems {
  readonly #byKind = new Map<string, string[]>();

  add(kind: string, ...examples: string[]): void {
    if (!examples.length) return;
    this.#byKind.set(kind, [...(this.#byKind.get(kind) ?? []), ...examples]);
  }

  get count(): number {
    return [...this.#byKind.values()].reduce((n, list) => n + list.length, 0);
  }

  /** `{kind: count}`: what the assertion compares with `{}`. */
  summary(): Record<string, number> {
    return Object.fromEntries([...this.#byKind].map(([kind, list]) => [kind, list.length]));
  }

  /** Every kind with its count and its first `perKind` examples. */
  report(perKind = 5): string {
    return [...this.#byKind]
      .map(([kind, list]) => `  ${kind}: ${list.length}\n${list.slice(0, perKind).map((e) => `    - ${e.slice(0, 1500)}`).join('\n')}`)
      .join('\n');
  }
}
