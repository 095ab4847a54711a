/** Longer return paths are refused: ours are short, and a long one only bloats the login form. */
const MAX_NEXT_LENGTH = 512;
/** Printable ASCII only: browsers drop tabs and newlines (`/\t/evil` becomes `//evil`). */
const PRINTABLE = /^[\x21-\x7e]+$/;
const BASE = 'http://gatehouse.invalid';

/**
 * Where to go after logging in: `raw` if it is a path on this site, else undefined. No open
 * redirect: `//evil`, `/\evil`, absolute URLs and their percent-encoded forms (`/%2F%2Fevil`,
 * `%2F%5Cevil`) are all refused, checked both as sent and once decoded, and so is what the
 * path becomes once normalised (`/.//evil` is `//evil`): what is returned is what was checked.
 */
export function safeNextPath(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > MAX_NEXT_LENGTH || !isLocalEverWay(raw)) return undefined;
  const url = new URL(raw, BASE);
  const normalised = url.pathname + url.search;
  return url.origin === BASE && isLocalEverWay(normalised) ? normalised : undefined;
}

/** A local path as written and once percent-decoded (broken encoding is refused). */
function isLocalEverWay(path: string): boolean {
  if (!isLocalPath(path)) return false;
  try {
    return isLocalPath(decodeURIComponent(path));
  } catch {
    return false;
  }
}

/** One slash, then no second slash or backslash: browsers read `//` and `/\` as another host. */
function isLocalPath(path: string): boolean {
  return path.startsWith('/') && path[1] !== '/' && !path.includes('\\') && PRINTABLE.test(path);
}
