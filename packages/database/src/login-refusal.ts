/** PostgreSQL's SQLSTATEs for a login that waiting will not fix. */
const REFUSED: Record<string, (user: string, database: string) => string> = {
  '28P01': (user) => `PostgreSQL refused the password for user ${user}`,
  '28000': (user) => `PostgreSQL refused the login for user ${user}`,
  '3D000': (_user, database) => `PostgreSQL has no database ${database}`,
};

/** Why the database turned this client away for good, naming the variable to fix; undefined otherwise. */
export function postgresLoginRefusal(err: unknown, url: string, variable = 'DATABASE_URL'): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  const describe = typeof code === 'string' ? REFUSED[code] : undefined;
  if (!describe) return undefined;
  const parsed = new URL(url);
  return `${describe(decodeURIComponent(parsed.username), decodeURIComponent(parsed.pathname.slice(1)))}: check ${variable}`;
}
