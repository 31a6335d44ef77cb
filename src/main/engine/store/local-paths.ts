// Paths in synced rows are relative to the output root (POSIX separators), so a row means the same
// file on every workstation; the domain objects the store hands out carry this machine's absolute
// path, resolved against its own output root. A path outside the root (written by an older version,
// or a file the operator keeps elsewhere) is kept as it is.
import path from 'node:path';
import type { SyncedTable, SyncRow } from './tables.ts';

/** Columns holding a file path, per table. */
export const PATH_COLUMNS: Partial<Record<SyncedTable, readonly string[]>> = {
  product_galleries: ['html_path', 'json_path'],
  assets: ['local_path'],
};

/** The stored form of `p`: relative to `root` (POSIX) when inside it, else unchanged. */
export function toStoredPath(root: string | null, p: string | null): string | null {
  if (p === null || root === null || !path.isAbsolute(p)) return p;
  const rel = path.relative(root, p);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return p;
  return rel.split(path.sep).join('/');
}

/** This machine's path for a stored path: relative ones resolve against `root`. */
export function toLocalPath(root: string | null, stored: string | null): string | null {
  if (stored === null || root === null || path.isAbsolute(stored) || /^[A-Za-z]:[\\/]/.test(stored)) {
    return stored;
  }
  return path.join(root, ...stored.split('/'));
}

/** A sync row with its path columns in stored form. */
export function storedPaths(table: SyncedTable, root: string | null, row: SyncRow): SyncRow {
  const cols = PATH_COLUMNS[table];
  if (!cols || root === null) return row;
  const out = { ...row };
  for (const c of cols) {
    const v = out[c];
    if (typeof v === 'string') out[c] = toStoredPath(root, v);
  }
  return out;
}
