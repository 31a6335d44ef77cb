import type { StoreCore } from './core.ts';
import { type JsonValue, type Paging, pageParams, parseJsonColumn, type Row, toInt } from './sql.ts';

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
