/** Longer return paths are refused: ours are short, and a long one only bloats the login form. */
const MAX_NEXT_LENGTH = 512;
/** Printable ASCII only: browsers drop tabs and newlines (`/\t/evil` becomes `//evil`). */
const PRINTABLE = /^[\x21-\x7e]+$/;
const BASE = 'http://gatehouse.invalid';

/**
 * Where to go after logging in: `raw` if it is a path on this site, else undefined. No open
 * redirect: `//evil`, `/\evil`, absolute URLs and their percent-encoded forms (`/%2F%2Fevil`,
 * `%2F%5Cevil`) are all refused, checked both as sent and once decoded.
 */
export function safeNextPath(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > MAX_NEXT_LENGTH || !PRINTABLE.test(raw)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (!isLocalPath(raw) || !isLocalPath(decoded)) return undefined;
  const url = new URL(raw, BASE);
  if (url.origin !== BASE) return undefined;
  return url.pathname + url.search;
}

/** One slash, then no second slash or backslash: browsers read `//` and `/\` as another host. */
function isLocalPath(path: string): boolean {
  return path.startsWith('/') && path[1] !== '/' && !path.includes('\\') && PRINTABLE.test(path);
}
