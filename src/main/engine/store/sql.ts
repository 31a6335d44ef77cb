// Small helpers shared by the repositories: the row type, error translation, JSON columns, LIKE escaping.
import Database from 'better-sqlite3';
import { z } from 'zod';
import { describeZodError, ShowcaseError } from '../../../shared/index.ts';

export type Db = Database.Database;
export type Row = Record<string, unknown>;
export type Statement = Database.Statement<unknown[], Row>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
export const JsonObjectSchema: z.ZodType<JsonObject> = z.record(z.string(), z.json());

/** Turns a better-sqlite3 failure into a ShowcaseError the caller can act on; ShowcaseErrors pass through. */
export function toStoreError(err: unknown, action: string): ShowcaseError {
  if (err instanceof ShowcaseError) return err;
  if (err instanceof Database.SqliteError) {
    const code = err.code;
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
      return new ShowcaseError(
        'conflict',
        `${action}: a row with the same key already exists (${err.message})`,
        {
          cause: err,
          details: { sqliteCode: code },
        },
      );
    }
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      return new ShowcaseError('not_found', `${action}: it refers to a row that does not exist`, {
        cause: err,
        details: { sqliteCode: code },
      });
    }
    const busy = code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED';
    const readonly = code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_');
    return new ShowcaseError('storage_error', `${action}: ${err.message}`, {
      cause: err,
      retryable: busy,
      details: { sqliteCode: code },
      ...(readonly ? { hint: 'The local store is open read-only.' } : {}),
      ...(busy ? { hint: 'Another process holds the database; try again.' } : {}),
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ShowcaseError('storage_error', `${action}: ${message}`, { cause: err });
}

/** Parses a JSON column; a broken value is a storage fault, not bad user input. */
export function parseJsonColumn(text: unknown, where: string): JsonValue {
  if (text === null || text === undefined) return null;
  if (typeof text !== 'string') {
    throw new ShowcaseError('storage_error', `${where}: expected JSON text, got ${typeof text}`);
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new ShowcaseError('storage_error', `${where}: stored JSON is corrupt`, { cause: err });
  }
}

/** True for plain JSON data: null, booleans, finite numbers, strings, arrays and plain objects of them. */
function isPlainJson(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isPlainJson(v, depth + 1));
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false; // Date, Map, class instances
  for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}

/**
 * The JSON text of a value bound for a JSON column. Throws `invalid_input` naming `field` unless the
 * value is plain JSON data (so it reads back as it was written: no Date turned into a string, no
 * NaN into null). A type walk, not a schema parse: the schema parse allocated ~10 KB per job when
 * 10,000 jobs were planned at once.
 */
export function jsonText(value: unknown, field: string): string {
  if (!isPlainJson(value)) {
    throw new ShowcaseError(
      'invalid_input',
      `${field}: must be plain JSON data (objects, arrays, strings, finite numbers, booleans, null)`,
      {
        details: { fields: [field] },
      },
    );
  }
  return JSON.stringify(value);
}

/** Validates a value read from the database; a mismatch means the file holds data this app cannot use. */
export function parseStored<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ShowcaseError(
      'storage_error',
      `${where}: stored row is invalid — ${describeZodError(result.error)}`,
      {
        details: { fields: result.error.issues.map((i) => i.path.map(String).join('.')) },
      },
    );
  }
  return result.data;
}

/** Escapes `%`, `_` and `\` for `LIKE … ESCAPE '\'`. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function toInt(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new ShowcaseError('storage_error', `expected an integer column, got ${typeof value}`);
}

export interface Paging {
  offset?: number;
  limit?: number;
}

/** LIMIT/OFFSET bind values; no limit means all rows (SQLite treats a negative LIMIT as none). */
export function pageParams(query: Paging): { limit: number; offset: number } {
  return {
    limit: query.limit === undefined ? -1 : Math.max(0, Math.floor(query.limit)),
    offset: Math.max(0, Math.floor(query.offset ?? 0)),
  };
}

/** Drops keys whose value is `undefined`, so `{ error: undefined }` in a patch does not erase a field. */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
