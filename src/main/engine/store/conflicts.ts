import {
  type ConflictRecord,
  type ConflictSide,
  parseOrThrow,
  ShowcaseError,
} from '../../../shared/index.ts';
import type { StoreCore } from './core.ts';
import { groupOfColumn, groupsOf } from './field-groups.ts';
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
  /** The differing columns of the one field group both edits changed (null: the whole row, pre-v2). */
  field: string | null;
  reason: ConflictReason;
  /** The server's sync_conflicts id, when the conflict came from (or went to) the server. */
  serverId: number | null;
}

export type ConflictReason = 'concurrent_edit' | 'clock_skew' | 'schema';

export type SyncConflictDraft = Omit<
  SyncConflict,
  'id' | 'resolved' | 'at' | 'field' | 'reason' | 'serverId'
> &
  Partial<Pick<SyncConflict, 'field' | 'reason' | 'serverId'>>;

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
          `INSERT INTO sync_conflicts
             (tbl, row_id, local, remote, local_hlc, remote_hlc, resolved, at, field, reason, server_id)
           VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) RETURNING *`,
        )
        .get(
          conflict.table,
          conflict.rowId,
          JSON.stringify(conflict.local ?? null),
          JSON.stringify(conflict.remote ?? null),
          conflict.localHlc,
          conflict.remoteHlc,
          this.core.nowIso(),
          conflict.field ?? null,
          conflict.reason ?? 'concurrent_edit',
          conflict.serverId ?? null,
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
      let wanted = spec.toSyncRow(parsed);
      if (String(wanted.id) !== conflict.rowId) {
        throw new ShowcaseError('storage_error', `Conflict ${id}: the kept version is for another row`);
      }
      // A field conflict keeps only that field group of the chosen version: everything else in the row
      // (a colleague's seed lock, a later approval) stays as it is now.
      const group = conflict.field ? groupOfColumn(spec.name, conflict.field.split(',')[0] ?? '') : null;
      if (current && group) {
        const now = dbRowToSyncRow(spec, current);
        const cols = groupsOf(spec.name)[group] ?? [];
        wanted = { ...now, ...Object.fromEntries(cols.map((c) => [c, wanted[c] ?? null])) };
      }
      if (!current || !sameVersion(dbRowToSyncRow(spec, current), wanted)) {
        const value = parseOrThrow(spec.schema, spec.fromSyncRow(wanted), `conflict ${id} ${keep} version`);
        const stamped = hasUpdatedAt(value) ? { ...value, updatedAt: this.core.nowIso() } : value;
        this.core.writeSynced(spec, stamped, 'upsert');
      }
      // resolution_pushed = 0: the next sync marks the server's copy resolved, for every station.
      this.core.prepare('UPDATE sync_conflicts SET resolved = 1, resolution_pushed = 0 WHERE id = ?').run(id);
      return { ...conflict, resolved: true };
    });
  }

  /** Marks a conflict (un)resolved; false when the id is unknown. */
  resolve(id: number, resolved = true): boolean {
    return this.core.tx(`resolve conflict ${id}`, () => {
      return (
        this.core
          .prepare('UPDATE sync_conflicts SET resolved = ?, resolution_pushed = 0 WHERE id = ?')
          .run(resolved ? 1 : 0, id).changes > 0
      );
    });
  }

  /** Resolved conflicts whose resolution the server has not heard of yet: [local id, server id]. */
  unpushedResolutions(): Array<{ id: number; serverId: number }> {
    return this.core
      .prepare(
        'SELECT id, server_id FROM sync_conflicts WHERE resolved = 1 AND resolution_pushed = 0 AND server_id IS NOT NULL',
      )
      .all()
      .map((r) => ({ id: toInt(r.id), serverId: toInt(r.server_id) }));
  }

  markResolutionsPushed(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.core.tx('mark resolutions pushed', () => {
      const stmt = this.core.prepare('UPDATE sync_conflicts SET resolution_pushed = 1 WHERE id = ?');
      for (const id of ids) stmt.run(id);
    });
  }

  /** Open conflicts that have a server id (to ask whether another station resolved them). */
  openWithServerId(): Array<{ id: number; serverId: number }> {
    return this.core
      .prepare('SELECT id, server_id FROM sync_conflicts WHERE resolved = 0 AND server_id IS NOT NULL')
      .all()
      .map((r) => ({ id: toInt(r.id), serverId: toInt(r.server_id) }));
  }

  /** Marks conflicts resolved because the server says another station resolved them. */
  resolvedElsewhere(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.core.tx('resolve conflicts resolved elsewhere', () => {
      const stmt = this.core.prepare(
        'UPDATE sync_conflicts SET resolved = 1, resolution_pushed = 1 WHERE id = ?',
      );
      for (const id of ids) stmt.run(id);
    });
  }

  /** True when a conflict with this server id is already kept here. */
  hasServerId(serverId: number): boolean {
    return this.core.prepare('SELECT 1 FROM sync_conflicts WHERE server_id = ?').get(serverId) !== undefined;
  }
}

/**
 * A conflict as the contract returns it. Versions are always rows (objects) when recorded; anything else
 * would be a corrupt record and reads as "no version" rather than failing the whole list.
 */
export function conflictRecord(conflict: SyncConflict): ConflictRecord {
  const version = (v: JsonValue): ConflictRecord['local'] =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
  const { serverId: _serverId, ...rest } = conflict;
  return { ...rest, local: version(conflict.local), remote: version(conflict.remote) };
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
    field: (row.field as string | null) ?? null,
    reason: ((row.reason as string | null) ?? 'concurrent_edit') as ConflictReason,
    serverId: row.server_id === null || row.server_id === undefined ? null : toInt(row.server_id),
  };
}
