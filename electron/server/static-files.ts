// Serves the built renderer (out/renderer) to a browser: known files with their content type, and
// index.html for any other path without an extension (client-side routes). Nothing outside the
// folder is ever served, through `..`, encoded separators or symlinks.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticFile {
  file: string;
  size: number;
  /** Vite's hashed bundles under assets/ never change under the same name; anything else may. */
  cacheControl: string;
}

/**
 * Resolves a URL path to a file inside `root` (a real path), or null for 404. `pathname` is the raw,
 * still percent-encoded path of the request URL.
 */
export async function resolveStatic(root: string, pathname: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  // A backslash or NUL has no business in a URL path of ours; refusing them avoids platform quirks.
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const candidate = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  if (!isInside(root, candidate)) return null;

  const found = await fileInside(root, candidate);
  if (found) return found;
  // A path that names a file (has an extension) is missing, not a client-side route.
  if (path.extname(decoded) !== '') return null;
  return fileInside(root, path.join(root, 'index.html'));
}

async function fileInside(root: string, file: string): Promise<StaticFile | null> {
  try {
    const real = await realpath(file);
    if (!isInside(root, real)) return null; // a symlink pointing out of the folder
    const info = await stat(real);
    if (!info.isFile()) return null;
    const hashed = path.relative(root, real).split(path.sep)[0] === 'assets';
    const cacheControl = hashed ? 'public, max-age=31536000, immutable' : path.basename(real) === 'index.html' ? 'no-store' : 'no-cache';
    return { file: real, size: info.size, cacheControl };
  } catch {
    return null;
  }
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Streams the file; HEAD gets the headers only. */
export function sendFile(req: IncomingMessage, res: ServerResponse, found: StaticFile): void {
  res.writeHead(200, {
    'Content-Type': contentTypeOf(found.file),
    'Content-Length': found.size,
    'Cache-Control': found.cacheControl,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(found.file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
