import {
  type ConflictRecord,
  type ConflictSide,
  parseOrThrow,
  ShowcaseError,
} from '../../../shared/index.ts';
import type { StoreCore } from './core.ts';
import { type JsonValue, type Paging, pageParams, parseJsonColumn, type Row, toInt } from './sql.ts';
import {
  dbRowToSyncRow,
  normaliseSyncRow,
  type SyncedTable,
  type SyncRow,
  syncedTables,
  type TableSpec,
  tableSpecs,
} from './tables.ts';

/** The losing version of a row, kept for an operator to look at (never silently dropped). */
export interface SyncConflict {
  id: number;
  table: string;
  rowId: string;
  local: JsonValue;
  remote: JsonValue;
  localHlc: string | null;
  remoteHlc: string | null;
  resolved: boolean;
  at: string;
}

export type SyncConflictDraft = Omit<SyncConflict, 'id' | 'resolved' | 'at'>;

export interface ConflictQuery extends Paging {
  resolved?: boolean;
}

export class ConflictRepository {
  private readonly core: StoreCore;

  constructor(core: StoreCore) {
    this.core = core;
  }

  record(conflict: SyncConflictDraft): SyncConflict {
    return this.core.tx('record sync conflict', () => {
      const row = this.core
        .prepare(
          `INSERT INTO sync_conflicts (tbl, row_id, local, remote, local_hlc, remote_hlc, resolved, at)
           VALUES (?, ?, ?, ?, ?, ?, 0, ?) RETURNING *`,
        )
        .get(
          conflict.table,
          conflict.rowId,
          JSON.stringify(conflict.local ?? null),
          JSON.stringify(conflict.remote ?? null),
          conflict.localHlc,
          conflict.remoteHlc,
          this.core.nowIso(),
        ) as Row;
      return toConflict(row);
    });
  }

  /** Conflicts oldest first, optionally only (un)resolved ones. */
  list(query: ConflictQuery = {}): SyncConflict[] {
    const filter = query.resolved === undefined ? '' : 'WHERE resolved = @resolved';
    return this.core
      .prepare(`SELECT * FROM sync_conflicts ${filter} ORDER BY id LIMIT @limit OFFSET @offset`)
      .all({
        ...pageParams(query),
        ...(query.resolved === undefined ? {} : { resolved: query.resolved ? 1 : 0 }),
      })
      .map(toConflict);
  }

  count(query: { resolved?: boolean } = {}): number {
    const row =
      query.resolved === undefined
        ? this.core.prepare('SELECT count(*) AS n FROM sync_conflicts').get()
        : this.core
            .prepare('SELECT count(*) AS n FROM sync_conflicts WHERE resolved = ?')
            .get(query.resolved ? 1 : 0);
    return toInt((row as Row).n);
  }

  get(id: number): SyncConflict | null {
    const row = this.core.prepare('SELECT * FROM sync_conflicts WHERE id = ?').get(id);
    return row ? toConflict(row) : null;
  }

  /**
   * Resolves a conflict by keeping one of its two versions. The kept version is written again as a NEW
   * local write (fresh HLC, `updatedAt` stamped now, queued in the outbox), so it beats both versions on
   * every workstation once pushed; row, outbox entry and the resolved mark commit together. When the row
   * already holds exactly that version (typically: keeping the version that won) nothing is rewritten,
   * so picking the winner does not cause another round of sync traffic.
   */
  resolveWith(id: number, keep: ConflictSide): SyncConflict {
    return this.core.tx(`resolve conflict ${id}`, () => {
      const conflict = this.get(id);
      if (!conflict) {
        throw new ShowcaseError('not_found', `Conflict ${id} does not exist`, {
          details: { fields: ['conflictId'] },
        });
      }
      if (conflict.resolved) {
        throw new ShowcaseError('conflict', `Conflict ${id} is already resolved`, {
          details: { fields: ['conflictId'] },
        });
      }
      const spec = writableSpec(conflict.table);
      const version = keep === 'local' ? conflict.local : conflict.remote;
      if (version === null || typeof version !== 'object' || Array.isArray(version)) {
        // A rejected pull keeps no local version: there is no row to put back (sync has no deletes).
        throw new ShowcaseError('invalid_input', `keep: conflict ${id} has no ${keep} version to keep`, {
          details: { fields: ['keep'] },
        });
      }
      const parsed = parseOrThrow(
        spec.schema,
        spec.fromSyncRow(normaliseSyncRow(spec, version)),
        `conflict ${id} ${keep} version`,
      );
      const current = this.core.prepare(`SELECT * FROM ${spec.name} WHERE id = ?`).get(conflict.rowId);
      const wanted = spec.toSyncRow(parsed);
      if (String(wanted.id) !== conflict.rowId) {
        throw new ShowcaseError('storage_error', `Conflict ${id}: the kept version is for another row`);
      }
      if (!current || !sameVersion(dbRowToSyncRow(spec, current), wanted)) {
        const stamped = hasUpdatedAt(parsed) ? { ...parsed, updatedAt: this.core.nowIso() } : parsed;
        this.core.writeSynced(spec, stamped, 'upsert');
      }
      this.core.prepare('UPDATE sync_conflicts SET resolved = 1 WHERE id = ?').run(id);
      return { ...conflict, resolved: true };
    });
  }

  /** Marks a conflict (un)resolved; false when the id is unknown. */
  resolve(id: number, resolved = true): boolean {
    return this.core.tx(`resolve conflict ${id}`, () => {
      return (
        this.core.prepare('UPDATE sync_conflicts SET resolved = ? WHERE id = ?').run(resolved ? 1 : 0, id)
          .changes > 0
      );
    });
  }
}

/**
 * A conflict as the contract returns it. Versions are always rows (objects) when recorded; anything else
 * would be a corrupt record and reads as "no version" rather than failing the whole list.
 */
export function conflictRecord(conflict: SyncConflict): ConflictRecord {
  const version = (v: JsonValue): ConflictRecord['local'] =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
  return { ...conflict, local: version(conflict.local), remote: version(conflict.remote) };
}

// `jobs` is push-only (the summary is not the local journal's row), so a jobs conflict is for reading only.
function writableSpec(table: string): TableSpec<unknown> {
  if (!(syncedTables as readonly string[]).includes(table) || table === 'jobs') {
    throw new ShowcaseError(
      'invalid_input',
      `conflictId: a ${table} conflict cannot be resolved by keeping a version`,
      {
        details: { fields: ['conflictId'], table },
      },
    );
  }
  return tableSpecs[table as Exclude<SyncedTable, 'jobs'>] as TableSpec<unknown>;
}

function hasUpdatedAt(value: unknown): value is { updatedAt: string } {
  return value !== null && typeof value === 'object' && 'updatedAt' in value;
}

// `updated_at` only records when a version was written; the content is everything else.
function sameVersion(a: SyncRow, b: SyncRow): boolean {
  const strip = (row: SyncRow) => JSON.stringify({ ...row, updated_at: null });
  return strip(a) === strip(b);
}

function toConflict(row: Row): SyncConflict {
  return {
    id: toInt(row.id),
    table: row.tbl as string,
    rowId: row.row_id as string,
    local: parseJsonColumn(row.local, `sync_conflicts ${String(row.id)}`),
    remote: parseJsonColumn(row.remote, `sync_conflicts ${String(row.id)}`),
    localHlc: (row.local_hlc as string | null) ?? null,
    remoteHlc: (row.remote_hlc as string | null) ?? null,
    resolved: row.resolved === 1,
    at: row.at as string,
  };
}
