// The store file and its secrets file hold drafts, settings and credentials: only their owner may read
// them. SQLite creates the `-wal` and `-shm` files with the mode of the database file, so a database
// created (or tightened) as 0600 keeps its companions private too.
import { chmodSync, closeSync, openSync, statSync } from 'node:fs';

export const PRIVATE_FILE_MODE = 0o600;

/** True when group or others may read or write `path` (false when it does not exist). */
export function isLoose(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

/** Takes group and other permissions off `path` when it exists and we own it (best effort otherwise). */
export function tightenFile(path: string): void {
  if (!isLoose(path)) return;
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch {
    // Owned by someone else (a shared folder): SQLite still works; nothing better to do here.
  }
}

/**
 * Before SQLite opens `dbPath`: creates it empty with mode 0600 when missing (an empty file is a valid
 * new database), or tightens an existing one and its `-wal`/`-shm` companions.
 */
export function prepareDatabaseFile(dbPath: string): void {
  if (dbPath === ':memory:' || dbPath === '') return;
  try {
    closeSync(openSync(dbPath, 'wx', PRIVATE_FILE_MODE));
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return; // SQLite reports the real problem
  }
  for (const path of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`]) tightenFile(path);
}
