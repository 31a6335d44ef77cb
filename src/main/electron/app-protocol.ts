// The two custom schemes the window uses instead of file:// (Electron security checklist: "use a
// custom protocol"): file:// pages share one origin with the whole disk, these are scoped folders.
//   showcase://app/…         the built renderer (out/renderer); the page's origin, 'self' in the CSP
//   showcase-file://files/…  gallery files under the engine's output root (the renderer's
//                            ElectronBridge defaults its fileUrl() base to exactly this)
// The handlers are plain `(Request) => Promise<Response>` functions, so they are tested with real
// files and real Request objects; main.ts passes them to `protocol.handle`.
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

export const APP_SCHEME = 'showcase';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;
export const FILE_SCHEME = 'showcase-file';
export const FILE_HOST = 'files';
export const FILE_BASE_URL = `${FILE_SCHEME}://${FILE_HOST}/`;

/** For `protocol.registerSchemesAsPrivileged` (before app ready). Standard + secure: a real origin, no mixed-content. */
export const privilegedSchemes = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  { scheme: FILE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
] as const;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeFor(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The real path of `urlPath` inside `root`, or null when it escapes the root (`..`, encoded
 * separators, a symlink pointing outside), contains a NUL, or is not a regular file.
 */
export async function resolveInside(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relativePath = decoded.replace(/^\/+/, '');
  if (relativePath === '' || isAbsolute(relativePath)) return null;
  try {
    const realRoot = await realpath(root);
    const candidate = await realpath(resolve(realRoot, relativePath));
    const rel = relative(realRoot, candidate);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return null;
    return (await stat(candidate)).isFile() ? candidate : null;
  } catch {
    return null;
  }
}

export interface StaticHandlerOptions {
  root: string | (() => string);
  /** Only requests for this host are served (`app` / `files`). */
  host: string;
  /** Served for `/`. */
  index?: string;
  /** Extra headers on every response (the CSP for the app's pages). */
  headers?: Record<string, string>;
}

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
  });
}

/** A read-only, GET-only file server for one folder, as a `protocol.handle` handler. */
export function createStaticHandler(options: StaticHandlerOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(400, 'bad url');
    }
    if (url.host !== options.host) return plain(404, 'not found');
    const root = typeof options.root === 'function' ? options.root() : options.root;
    const path = url.pathname === '/' && options.index ? `/${options.index}` : url.pathname;
    const file = await resolveInside(root, path);
    if (file === null) return plain(404, 'not found');
    const body = request.method === 'HEAD' ? null : await readFile(file);
    return new Response(body, {
      status: 200,
      headers: {
        'content-type': mimeFor(file),
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
        ...options.headers,
      },
    });
  };
}

/**
 * Gallery files are data, not app pages: if one is ever rendered as a document, it runs sandboxed
 * with no script and no network (images still load where they are embedded by the app's page).
 */
export const GALLERY_FILE_CSP =
  "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

/** What the engine writes into the output root; only these are handed to the OS to open. */
export const OPENABLE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.html',
  '.png',
  '.jpg',
  '.jpeg',
  '.webp',
  '.json',
]);

/**
 * The output-root file a `showcase-file://files/<name>` URL points at, for "open with the default
 * app" — or null when it is not such a URL, not inside the root, or not a kind of file the engine writes.
 */
export async function galleryFilePath(root: string, rawUrl: string): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${FILE_SCHEME}:` || url.host !== FILE_HOST) return null;
  const file = await resolveInside(root, url.pathname);
  return file !== null && OPENABLE_EXTENSIONS.has(extname(file).toLowerCase()) ? file : null;
}
