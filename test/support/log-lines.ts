/** One line of a service's JSON log (pino), with the fields tests look at. */
export interface LogLine {
  reqId?: string;
  msg?: string;
  action?: string;
  [field: string]: unknown;
}

/** A service's output as log records; lines that are not JSON (tsx's, Python's) are skipped. */
export function logLines(output: string): LogLine[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

/**
 * The names of the secrets that occur in `logs`, as they are or URL-encoded (cookies travel
 * encoded). An empty list means none leaked.
 */
export function leakedSecrets(logs: string, secrets: Record<string, readonly string[]>): string[] {
  return Object.entries(secrets).flatMap(([name, values]) =>
    values.some((value) => value !== '' && (logs.includes(value) || logs.includes(encodeURIComponent(value)))) ? [name] : [],
  );
}

/** What every tier must never log, whatever the level: hashes in PHC form. */
export const ARGON2_HASH = /\$argon2id\$/;
