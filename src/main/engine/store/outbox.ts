import type { StoreCore } from './core.ts';
import { parseJsonColumn, type Row, toInt } from './sql.ts';
import type { SyncedTable, SyncRow } from './tables.ts';

/** A local change waiting to be pushed. `row` is the whole row (last writer wins per row, by `hlc`). */
export interface OutboxEntry {
  opId: string;
  table: SyncedTable;
  rowId: string;
  row: SyncRow;
  hlc: string;
  createdAt: string;
  /** Group clocks of `row`'s values; null when every group is at `hlc`. */
  clocks: Record<string, string> | null;
  /** Per group edited here since the last push: the clock the edit started from ('' = a new row). */
  base: Record<string, string> | null;
}

export class OutboxRepository {
  private readonly core: StoreCore;

  constructor(core: StoreCore) {
    this.core = core;
  }

  /**
   * The oldest pending entries, without removing them. Order is the order rows were first changed, so a
   * parent row (product, gallery) always comes before its children. A row changed again after `peek`
   * gets a new `opId` in the same position: acking the old id leaves the newer version queued.
   */
  peek(limit = 500): OutboxEntry[] {
    return this.core
      .prepare('SELECT * FROM outbox ORDER BY rowid LIMIT ?')
      .all(Math.max(0, Math.floor(limit)))
      .map(toEntry);
  }

  /** Removes pushed entries; unknown ids (already acked, or superseded by a newer write) are ignored. */
  ack(opIds: readonly string[]): number {
    if (opIds.length === 0) return 0;
    return this.core.tx('ack outbox entries', () => {
      const del = this.core.prepare('DELETE FROM outbox WHERE op_id = ?');
      let removed = 0;
      for (const id of opIds) removed += del.run(id).changes;
      return removed;
    });
  }

  count(): number {
    return toInt((this.core.prepare('SELECT count(*) AS n FROM outbox').get() as Row).n);
  }
}

function toEntry(row: Row): OutboxEntry {
  return {
    opId: row.op_id as string,
    table: row.tbl as SyncedTable,
    rowId: row.row_id as string,
    row: parseJsonColumn(row.row, `outbox ${String(row.op_id)}`) as SyncRow,
    hlc: row.hlc as string,
    createdAt: row.created_at as string,
    clocks: row.clocks
      ? (parseJsonColumn(row.clocks, `outbox ${String(row.op_id)} clocks`) as Record<string, string>)
      : null,
    base: row.base
      ? (parseJsonColumn(row.base, `outbox ${String(row.op_id)} base`) as Record<string, string>)
      : null,
  };
}
