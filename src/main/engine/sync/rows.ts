// Small helpers over sync rows and HLC strings shared by push, pull and the conflict exchange.
import { isHlc, type JsonValue, type SyncRow, type TableSpec } from '../store/index.ts';

/** The node id inside an HLC (`<13 digits>-<5 digits>-<node>`), or '' for a malformed one. */
export function hlcNode(hlc: string): string {
  return isHlc(hlc) ? hlc.slice(20) : '';
}

/** The spec's columns of a row from Postgres (drops hlc/seq/synced_at, fills missing with null). */
export function pickColumns(spec: TableSpec<unknown>, row: Record<string, unknown>): SyncRow {
  const out: SyncRow = {};
  for (const c of spec.columns) {
    const v = row[c.name];
    out[c.name] = v === undefined ? null : (v as JsonValue);
  }
  return out;
}

// Two versions that differ only in their `updated_at` stamp are not a conflict worth showing anyone:
// two workstations importing the same sheet write the same product, each with its own timestamp.
const IGNORED_IN_COMPARISON = new Set(['updated_at']);

/** True when two versions of a row carry the same content (`updated_at` aside). */
export function sameContent(spec: TableSpec<unknown>, a: SyncRow, b: SyncRow): boolean {
  for (const c of spec.columns) {
    if (IGNORED_IN_COMPARISON.has(c.name)) continue;
    if (JSON.stringify(a[c.name] ?? null) !== JSON.stringify(b[c.name] ?? null)) return false;
  }
  return true;
}

/** Quotes a column name (all spec names are lower-case words; quoting keeps `copy`, `at` … safe). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
