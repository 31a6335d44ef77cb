// A team for the sync tests: stations (real SQLite files) whose wall clocks run off by a per-station
// offset the test sets (the HLC reads time through the store's injected `now`), and canonical dumps of
// every synced table — from each station and from Postgres — to check that all of them converge.
import Database from 'better-sqlite3';
import {
  fullClocks,
  parseClocks,
  type Store,
  type SyncedTable,
  syncedTables,
  tableSpecs,
} from '../../../../src/main/engine/store/index.ts';
import type { SyncEngine, SyncEngineOptions } from '../../../../src/main/engine/sync/index.ts';
import { engineFor, type TempStores, withPg } from './helpers.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface Station {
  name: string;
  store: Store;
  engine: SyncEngine;
  /** How far this station's clock runs ahead of real time (negative: behind). */
  skewMs: number;
}

/** Opens a station whose clock is `skewMs` off real time (changeable later through `station.skewMs`). */
export function station(
  t: TempStores,
  url: string,
  name: string,
  skewMs: number,
  options: SyncEngineOptions,
): Station {
  const s = { name, skewMs } as Station;
  s.store = t.open(`${name}.db`, { now: () => Date.now() + s.skewMs });
  s.engine = engineFor(s.store, url, options);
  return s;
}

const pulled: readonly SyncedTable[] = syncedTables.filter((t) => t !== 'jobs');

function canonicalValue(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'integer' || type === 'real') return Number(v);
  if (type === 'boolean') return v === true || v === 1 || v === 1n;
  if (type === 'json') return JSON.stringify(typeof v === 'string' ? JSON.parse(v) : v);
  return v;
}

function canonicalRow(table: SyncedTable, row: Record<string, unknown>, clocks: unknown) {
  const spec = tableSpecs[table];
  const out: Record<string, unknown> = {};
  for (const c of spec.columns) out[c.name] = canonicalValue(c.type, row[c.name]);
  const hlc = row.hlc as string;
  out.hlc = hlc;
  out.clocks = fullClocks(table, hlc, parseClocks(table, clocks, 'clocks'));
  return out;
}

export type Dump = Record<string, unknown[]>;

/** Every synced row of a station's file with its full field clocks, in id order. */
export function dumpStation(path: string): Dump {
  const db = new Database(path, { readonly: true });
  try {
    const out: Dump = {};
    for (const table of pulled) {
      const clocks = new Map(
        (
          db.prepare('SELECT row_id, clocks FROM sync_field_clocks WHERE tbl = ?').all(table) as Array<{
            row_id: string;
            clocks: string;
          }>
        ).map((r) => [r.row_id, r.clocks]),
      );
      out[table] = (db.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as Record<string, unknown>[]).map(
        (r) => canonicalRow(table, r, clocks.get(r.id as string) ?? null),
      );
    }
    return out;
  } finally {
    db.close();
  }
}

/** The same dump of the team database. */
export async function dumpServer(url: string, schema: string): Promise<Dump> {
  return withPg(url, async (c) => {
    const out: Dump = {};
    for (const table of pulled) {
      const { rows } = await c.query<Record<string, unknown>>(
        `SELECT * FROM ${schema}.${table} ORDER BY id COLLATE "C"`,
      );
      out[table] = rows
        .map((r) => canonicalRow(table, r, r.clocks ?? null))
        .sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
    }
    return out;
  });
}

/** Sorts like SQLite's default BINARY collation (what `ORDER BY id` gives locally). */
export function byId(dump: Dump): Dump {
  const out: Dump = {};
  for (const [k, rows] of Object.entries(dump)) {
    out[k] = [...rows].sort((a, b) => {
      const x = String((a as { id: string }).id);
      const y = String((b as { id: string }).id);
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  return out;
}
