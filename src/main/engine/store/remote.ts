// The pull side of sync: writes rows that came from the server, without queuing them for push again.
// Last writer wins per row by HLC; when the server's version beats a local change that was not pushed
// yet, the local version is kept in sync_conflicts and its outbox entry is dropped (the server would
// reject it anyway).
import { parseOrThrow, ShowcaseError } from '../../../shared/index.ts';
import type { ConflictRepository } from './conflicts.ts';
import type { StoreCore } from './core.ts';
import { compareHlc, parseHlc } from './hlc.ts';
import type { Row } from './sql.ts';
import {
  dbRowToSyncRow,
  normaliseSyncRow,
  type SyncedTable,
  syncedTables,
  type TableSpec,
  tableSpecs,
} from './tables.ts';

/**
 * - `inserted` / `updated`: the remote row is now the local row;
 * - `unchanged`: the local row already has this exact version (e.g. our own push coming back);
 * - `stale`: the local row is newer and was kept;
 * - `skipped`: a table that is push-only (`jobs` summaries from other nodes).
 */
export type ApplyRemoteOutcome = 'inserted' | 'updated' | 'unchanged' | 'stale' | 'skipped';

export interface ApplyRemoteResult {
  outcome: ApplyRemoteOutcome;
  /** Set when an unpushed local change lost and was stored in sync_conflicts. */
  conflictId: number | null;
}

export function isSyncedTable(value: string): value is SyncedTable {
  return (syncedTables as readonly string[]).includes(value);
}

/** Must run inside a store transaction. */
export function applyRemoteRow(
  core: StoreCore,
  conflicts: ConflictRepository,
  table: string,
  row: unknown,
  hlc: string,
): ApplyRemoteResult {
  if (!isSyncedTable(table)) {
    throw new ShowcaseError('invalid_input', `table: ${table} is not a synced table`, {
      details: { fields: ['table'], table },
    });
  }
  parseHlc(hlc);
  if (table === 'jobs') {
    core.clock.receive(hlc);
    return { outcome: 'skipped', conflictId: null };
  }
  if (row === null || typeof row !== 'object' || Array.isArray(row)) {
    throw new ShowcaseError('invalid_input', `${table}: a remote row must be an object`, {
      details: { fields: [table] },
    });
  }
  const spec: TableSpec<unknown> = tableSpecs[table];
  const value = parseOrThrow(
    spec.schema,
    spec.fromSyncRow(normaliseSyncRow(spec, row as Record<string, unknown>)),
    table,
  );
  const remote = spec.toSyncRow(value);
  core.clock.receive(hlc);

  const rowId = String(remote.id);
  const local = core.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(rowId) as Row | undefined;
  if (!local) {
    core.writeRow(spec, remote, hlc, 'insert');
    return { outcome: 'inserted', conflictId: null };
  }
  const order = compareHlc(hlc, local.hlc as string);
  if (order === 0) return { outcome: 'unchanged', conflictId: null };
  if (order < 0) return { outcome: 'stale', conflictId: null };

  let conflictId: number | null = null;
  const pending = core.prepare('SELECT op_id FROM outbox WHERE tbl = ? AND row_id = ?').get(table, rowId);
  if (pending) {
    conflictId = conflicts.record({
      table,
      rowId,
      local: dbRowToSyncRow(spec, local),
      remote,
      localHlc: local.hlc as string,
      remoteHlc: hlc,
    }).id;
    core.prepare('DELETE FROM outbox WHERE tbl = ? AND row_id = ?').run(table, rowId);
  }
  core.writeRow(spec, remote, hlc, 'upsert');
  return { outcome: 'updated', conflictId };
}
