import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/** Where fingerprinted files are served; each name carries its content's hash, so it never changes. */
export const ASSET_PREFIX = '/assets/';
/** A fingerprinted name's content never changes, so browsers may keep it for a year without asking. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

const PUBLIC_DIR = new URL('../../public/', import.meta.url);
const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/**
 * Files served from installed packages, under our own names: the browser half of a library we
 * use (no CDN, and the CSP allows only our origin). The package's entry point locates its folder,
 * as its `exports` hide the bundle's path.
 */
const require = createRequire(import.meta.url);
const VENDORED: Record<string, () => string> = {
  'simplewebauthn-browser.js': () => join(dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js'),
};

interface Asset {
  url: string;
  type: string;
  body: Buffer;
}

/**
 * Every file in public/ and VENDORED, read and hashed once at start-up: `style.css` is served as
 * `/assets/style.<hash>.css`. A small in-memory table does not need a static-files plugin.
 */
function loadAssets(): { byName: Map<string, Asset>; byUrl: Map<string, Asset> } {
  const byName = new Map<string, Asset>();
  const byUrl = new Map<string, Asset>();
  const files: [string, () => Buffer][] = readdirSync(PUBLIC_DIR).sort().map((file) => [file, () => readFileSync(new URL(file, PUBLIC_DIR))]);
  for (const [file, path] of Object.entries(VENDORED)) files.push([file, () => readFileSync(path())]);
  for (const [file, read] of files) {
    const ext = extname(file);
    const type = TYPES[ext];
    if (type === undefined) continue;
    const body = read();
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const asset = { url: `${ASSET_PREFIX}${file.slice(0, -ext.length)}.${hash}${ext}`, type, body };
    byName.set(file, asset);
    byUrl.set(asset.url, asset);
  }
  return { byName, byUrl };
}

const assets = loadAssets();

/** The fingerprinted URL of a file in public/, for templates; an unknown name is a bug, so it throws. */
export function assetUrl(name: string): string {
  const asset = assets.byName.get(name);
  if (!asset) throw new Error(`no asset named ${name} in public/`);
  return asset.url;
}

/**
 * Serves the table. Old or unknown names get the 404 page. No session lookup: assets must
 * not cost the Back End anything.
 */
export function registerAssetRoutes(app: FastifyInstance): void {
  app.get<{ Params: { name: string } }>(`${ASSET_PREFIX}:name`, { logLevel: 'warn' }, async (request, reply) => {
    const asset = assets.byUrl.get(ASSET_PREFIX + request.params.name);
    if (!asset) return reply.callNotFound();
    return reply.type(asset.type).header('cache-control', ASSET_CACHE_CONTROL).send(asset.body);
  });
}
