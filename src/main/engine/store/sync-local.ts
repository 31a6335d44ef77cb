// The local side of sync bookkeeping added in schema v2: pulled rows parked for a retry, the
// one-syncer-per-store lease, and the repair of a clock that ran into the future.

import type { StoreCore } from './core.ts';
import { type FieldClocks, rowHlc } from './field-groups.ts';
import { isHlc, parseHlc } from './hlc.ts';
import { type JsonValue, parseJsonColumn, type Row, toInt } from './sql.ts';
import { type SyncedTable, syncedTables } from './tables.ts';

/** Why a pulled row was parked: its clock is too far ahead of ours, or it does not fit this app's schema. */
export type RetryReason = 'clock_skew' | 'schema' | 'other';

export interface RetryEntry {
  table: SyncedTable;
  rowId: string;
  row: JsonValue;
  hlc: string;
  clocks: JsonValue;
  reason: RetryReason;
  message: string;
  attempts: number;
  firstAt: string;
  lastAt: string;
}

export interface LeaseHolder {
  owner: string;
  pid: number;
  expiresMs: number;
}

export interface ClockRepair {
  /** How far the clock's state ran ahead of the corrected wall clock before the repair, in ms. */
  aheadMs: number;
  /** Pending edits moved onto fresh timestamps. */
  restamped: number;
}

export class SyncLocalRepository {
  private readonly core: StoreCore;

  constructor(core: StoreCore) {
    this.core = core;
  }

  // --- parked pulled rows --------------------------------------------------------------------------

  /** Parks (or re-parks, counting the attempt) a pulled row that could not be applied. */
  park(entry: Omit<RetryEntry, 'attempts' | 'firstAt' | 'lastAt'>): void {
    this.core.tx('park a pulled row', () => {
      const now = this.core.nowIso();
      // A newer version of the same row replaces an older parked one: only the newest can matter.
      this.core
        .prepare(
          `INSERT INTO sync_retry (tbl, row_id, row, hlc, clocks, reason, message, attempts, first_at, last_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
           ON CONFLICT (tbl, row_id) DO UPDATE SET
             row = CASE WHEN excluded.hlc >= sync_retry.hlc THEN excluded.row ELSE sync_retry.row END,
             clocks = CASE WHEN excluded.hlc >= sync_retry.hlc THEN excluded.clocks ELSE sync_retry.clocks END,
             hlc = max(excluded.hlc, sync_retry.hlc),
             reason = excluded.reason, message = excluded.message,
             attempts = sync_retry.attempts + 1, last_at = excluded.last_at`,
        )
        .run(
          entry.table,
          entry.rowId,
          JSON.stringify(entry.row ?? null),
          entry.hlc,
          entry.clocks === null ? null : JSON.stringify(entry.clocks),
          entry.reason,
          entry.message,
          now,
          now,
        );
    });
  }

  /** Parked rows, oldest first. */
  parked(limit = 1000): RetryEntry[] {
    return this.core
      .prepare('SELECT * FROM sync_retry ORDER BY first_at, tbl, row_id LIMIT ?')
      .all(limit)
      .map(toRetry);
  }

  parkedCount(): number {
    return toInt((this.core.prepare('SELECT count(*) AS n FROM sync_retry').get() as Row).n);
  }

  /** Removes a parked row once it applied (or a newer version of it did). */
  unpark(table: string, rowId: string, hlc?: string): void {
    this.core.tx('unpark a pulled row', () => {
      if (hlc === undefined) {
        this.core.prepare('DELETE FROM sync_retry WHERE tbl = ? AND row_id = ?').run(table, rowId);
      } else {
        this.core
          .prepare('DELETE FROM sync_retry WHERE tbl = ? AND row_id = ? AND hlc <= ?')
          .run(table, rowId, hlc);
      }
    });
  }

  // --- the syncer lease ------------------------------------------------------------------------------

  /**
   * Takes (or renews) the store's sync lease for `ttlMs`. Returns null on success, else who holds it.
   * The lease is a row in the store itself, so the app and a CLI beside it see the same one.
   */
  acquireLease(owner: string, ttlMs: number): LeaseHolder | null {
    return this.core.tx('take the sync lease', () => {
      const now = this.core.rawNowMs();
      const row = this.core.prepare('SELECT owner, pid, expires_ms FROM sync_lease WHERE id = 1').get();
      if (row && row.owner !== owner && toInt(row.expires_ms) > now) {
        return { owner: row.owner as string, pid: toInt(row.pid), expiresMs: toInt(row.expires_ms) };
      }
      this.core
        .prepare(
          `INSERT INTO sync_lease (id, owner, pid, expires_ms) VALUES (1, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, expires_ms = excluded.expires_ms`,
        )
        .run(owner, process.pid, now + ttlMs);
      return null;
    });
  }

  releaseLease(owner: string): void {
    if (!this.core.db.open || this.core.readonly) return;
    this.core.tx('release the sync lease', () => {
      this.core.prepare('DELETE FROM sync_lease WHERE id = 1 AND owner = ?').run(owner);
    });
  }

  // --- clock repair ----------------------------------------------------------------------------------

  /**
   * When the clock's state runs more than `boundMs` ahead of the corrected wall clock (it was persisted
   * while this machine's clock ran ahead), rewinds it and moves every pending edit stamped in that
   * future onto a fresh timestamp, so the drafts push and are ordered after what the team did since.
   */
  repairClock(boundMs: number): ClockRepair {
    return this.core.tx('repair the clock', () => {
      const clock = this.core.clock;
      const aheadMs = clock.aheadMs();
      const limit = clock.wallMs() + boundMs;
      const future = (hlc: string) => isHlc(hlc) && parseHlc(hlc).physical > limit;
      const pending = this.core.prepare('SELECT rowid AS pos, * FROM outbox ORDER BY rowid').all();
      const stale = pending.filter((e) => future(e.hlc as string));
      if (aheadMs <= boundMs && stale.length === 0) return { aheadMs, restamped: 0 };
      clock.rewind();
      for (const e of stale) {
        const table = e.tbl as SyncedTable;
        const rowId = e.row_id as string;
        const hlc = clock.now();
        const stored = e.clocks ? (parseJsonColumn(e.clocks, 'outbox clocks') as FieldClocks) : null;
        const fix = (clocks: FieldClocks): FieldClocks =>
          Object.fromEntries(Object.entries(clocks).map(([g, c]) => [g, future(c) ? hlc : c]));
        const outboxClocks = stored ? fix(stored) : null;
        this.core
          .prepare('UPDATE outbox SET hlc = ?, clocks = ? WHERE op_id = ?')
          .run(hlc, outboxClocks ? JSON.stringify(outboxClocks) : null, e.op_id);
        if (table === 'jobs' || !(syncedTables as readonly string[]).includes(table)) continue;
        const local = this.core.prepare(`SELECT hlc FROM ${table} WHERE id = ?`).get(rowId);
        if (!local) continue;
        const rowClocks = fix(this.core.fieldClocks(table, rowId, local.hlc as string));
        const rowMax = rowHlc(rowClocks);
        this.core.prepare(`UPDATE ${table} SET hlc = ? WHERE id = ?`).run(rowMax, rowId);
        this.core.saveFieldClocks(table, rowId, rowMax, rowClocks, true);
      }
      return { aheadMs, restamped: stale.length };
    });
  }
}

function toRetry(row: Row): RetryEntry {
  return {
    table: row.tbl as SyncedTable,
    rowId: row.row_id as string,
    row: parseJsonColumn(row.row, `sync_retry ${String(row.row_id)}`),
    hlc: row.hlc as string,
    clocks: row.clocks ? parseJsonColumn(row.clocks, `sync_retry ${String(row.row_id)} clocks`) : null,
    reason: row.reason as RetryReason,
    message: row.message as string,
    attempts: toInt(row.attempts),
    firstAt: row.first_at as string,
    lastAt: row.last_at as string,
  };
}
