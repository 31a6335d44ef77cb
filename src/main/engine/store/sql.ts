// Small helpers shared by the repositories: the row type, error translation, JSON columns, LIKE escaping.
import Database from 'better-sqlite3';
import { z } from 'zod';
import { describeZodError, ShowcaseError } from '../../../shared/index.ts';

export type Db = Database.Database;
export type Row = Record<string, unknown>;
export type Statement = Database.Statement<unknown[], Row>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
export const JsonValueSchema: z.ZodType<JsonValue> = z.json();
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
