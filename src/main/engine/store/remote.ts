// The pull side of sync: writes rows that came from the server, without queuing them for push again.
// Last writer wins per field group by HLC (field-groups.ts), so edits of different groups of one row
// made on different workstations both survive.
import { parseOrThrow, ShowcaseError } from '../../../shared/index.ts';
import type { StoreCore } from './core.ts';
import { fullClocks, mergeVersions, parseClocks, rowHlc } from './field-groups.ts';
import { compareHlc, parseHlc } from './hlc.ts';
import type { Row } from './sql.ts';
import {
  dbRowToSyncRow,
  normaliseSyncRow,
  type SyncedTable,
  type SyncRow,
  syncedTables,
  type TableSpec,
  tableSpecs,
} from './tables.ts';

/**
 * - `inserted` / `updated`: the local row now holds the remote version, merged group by group;
 * - `unchanged`: the local row already has this exact version (e.g. our own push coming back);
 * - `stale`: every group of the local row is at least as new; nothing changed;
 * - `skipped`: a table that is push-only (`jobs` summaries from other nodes).
 */
export type ApplyRemoteOutcome = 'inserted' | 'updated' | 'unchanged' | 'stale' | 'skipped';

export interface ApplyRemoteResult {
  outcome: ApplyRemoteOutcome;
  /** Always null since field-group merges: conflicts are found where both edits meet, on the server. */
  conflictId: number | null;
}

export function isSyncedTable(value: string): value is SyncedTable {
  return (syncedTables as readonly string[]).includes(value);
}

function sameRow(a: SyncRow, b: SyncRow): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Must run inside a store transaction. `clocks` are the row's field-group clocks as the server holds
 * them (null: every group at `hlc`). A pending local edit is never dropped here: its outbox entry
 * still pushes, and the server keeps whichever version of a group loses in its sync_conflicts.
 */
export function applyRemoteRow(
  core: StoreCore,
  table: string,
  row: unknown,
  hlc: string,
  clocks: unknown = null,
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
  const remoteClocks = fullClocks(table, hlc, parseClocks(table, clocks, `${table}.clocks`));
  if (rowHlc(remoteClocks) !== hlc) {
    throw new ShowcaseError(
      'invalid_input',
      `${table}.clocks: the newest field clock must be the row's hlc`,
      {
        details: { fields: [`${table}.clocks`] },
      },
    );
  }
  core.clock.receive(hlc);

  const rowId = String(remote.id);
  const local = core.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(rowId) as Row | undefined;
  if (!local) {
    core.writeRow(spec, remote, hlc, 'insert');
    core.saveFieldClocks(table, rowId, hlc, remoteClocks, false);
    return { outcome: 'inserted', conflictId: null };
  }
  const localHlc = local.hlc as string;
  const localRow = dbRowToSyncRow(spec, local);
  const localClocks = core.fieldClocks(table, rowId, localHlc);
  const merged = mergeVersions(
    spec,
    { row: localRow, clocks: localClocks },
    { row: remote, clocks: remoteClocks },
  );
  const groupsMoved = !sameRow(merged.clocks, localClocks);
  if (!groupsMoved && sameRow(merged.row, localRow)) {
    return { outcome: compareHlc(hlc, localHlc) === 0 ? 'unchanged' : 'stale', conflictId: null };
  }
  const mergedHlc = rowHlc(merged.clocks);
  // Written even when only the stamp moved (the later `updated_at` wins everywhere, on the server too).
  core.writeRow(spec, merged.row, mergedHlc, 'upsert');
  if (groupsMoved) core.saveFieldClocks(table, rowId, mergedHlc, merged.clocks, true);
  return { outcome: groupsMoved ? 'updated' : 'stale', conflictId: null };
}
