// What every repository shares: the connection, cached statements, transactions, the clock and the
// outbox writer. Repositories never open their own transactions on `db`; they go through `tx`, so
// nested calls join the caller's transaction and errors come out as ShowcaseErrors.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { parseOrThrow, ShowcaseError } from '../../../shared/index.ts';
import {
  changedGroups,
  compactClocks,
  type FieldClocks,
  fullClocks,
  groupNames,
  parseClocks,
} from './field-groups.ts';
import { type HybridClock, isHlc } from './hlc.ts';
import { PATH_COLUMNS, storedPaths, toLocalPath } from './local-paths.ts';
import { type Db, type Row, type Statement, toStoreError } from './sql.ts';
import {
  columnList,
  dbRowToSyncRow,
  rowToDomain,
  type SyncedTable,
  type SyncRow,
  syncRowToParams,
  type TableSpec,
} from './tables.ts';

/** Rejects functions returning a promise at compile time: a SQLite transaction cannot span an await. */
export type NotPromise<T> = T extends PromiseLike<unknown> ? never : T;

export const CLOCK_STATE_KEY = 'hlc_last';

export class StoreCore {
  readonly db: Db;
  readonly clock: HybridClock;
  readonly readonly: boolean;
  /** Identifies this open of the store; jobs claimed in an earlier session and still running were interrupted. */
  readonly sessionId = randomUUID();
  private readonly wallMs: () => number;
  private readonly statements = new Map<string, Statement>();
  private readonly runInTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  private depth = 0;
  private persistedClock: string;
  /** Set when the running transaction queued an outbox entry; listeners hear of it after the commit. */
  private queuedInTx = false;
  private readonly writeListeners = new Set<() => void>();

  /** The output root synced paths are relative to (null: paths pass through unchanged). */
  readonly outputRoot: string | null;

  constructor(
    db: Db,
    clock: HybridClock,
    options: { readonly: boolean; now: () => number; outputRoot?: string | null },
  ) {
    this.db = db;
    this.clock = clock;
    this.readonly = options.readonly;
    this.outputRoot = options.outputRoot ?? null;
    this.wallMs = options.now;
    this.persistedClock = clock.last();
    this.runInTransaction = db.transaction((fn: () => unknown) => fn());
  }

  /** A prepared statement, compiled once per SQL text. */
  prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<unknown[], Record<string, unknown>>(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Now, as the HLC sees it: this machine's clock corrected by the offset sync measured. */
  nowIso(): string {
    return new Date(this.clock.wallMs()).toISOString();
  }

  /** This machine's wall clock in ms (leases, timings), uncorrected by the sync offset. */
  rawNowMs(): number {
    return this.wallMs();
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /**
   * Runs `fn` in a write transaction (BEGIN IMMEDIATE, so concurrent writers queue on busy_timeout
   * instead of failing to upgrade a read lock); nested calls become savepoints. Any throw rolls back
   * the rows and the outbox entries written inside together.
   */
  tx<T>(action: string, fn: () => NotPromise<T>): T {
    if (this.readonly) {
      throw new ShowcaseError('storage_error', `${action}: the local store is open read-only`, {
        hint: 'Open the store without { readonly: true } to change it.',
      });
    }
    const outermost = this.depth === 0;
    if (outermost) this.queuedInTx = false;
    this.depth += 1;
    let committed = false;
    try {
      const result = this.runInTransaction.immediate(() => {
        if (outermost) this.loadClock();
        const result = fn();
        if (outermost) this.persistClock();
        return result;
      }) as T;
      committed = outermost;
      return result;
    } catch (err) {
      throw toStoreError(err, action);
    } finally {
      this.depth -= 1;
      if (committed && this.queuedInTx) {
        this.queuedInTx = false;
        this.notifyWrite();
      }
    }
  }

  /**
   * Calls `listener` after every committed transaction that queued a change for push (approve, seed
   * lock, publish, preset, copy …), so the syncer can start a round without every caller nudging it.
   */
  onLocalWrite(listener: () => void): () => void {
    this.writeListeners.add(listener);
    return () => {
      this.writeListeners.delete(listener);
    };
  }

  private notifyWrite(): void {
    for (const listener of this.writeListeners) {
      try {
        listener();
      } catch {
        // a listener must never fail the write that already committed
      }
    }
  }

  /** Runs several reads against one snapshot (e.g. a page and its total). */
  read<T>(fn: () => NotPromise<T>): T {
    if (this.depth > 0) return fn();
    try {
      return this.runInTransaction.deferred(fn) as T;
    } catch (err) {
      throw toStoreError(err, 'read');
    }
  }

  /**
   * Runs `fn` in a transaction with foreign-key enforcement off: rows pulled from the server may arrive
   * child before parent (the server orders by its sequence, not by table). The pragma can only change
   * outside a transaction, hence no nesting.
   */
  withForeignKeysSuspended<T>(action: string, fn: () => NotPromise<T>): T {
    if (this.depth > 0) {
      throw new ShowcaseError('internal', `${action}: cannot start inside another store transaction`);
    }
    this.db.pragma('foreign_keys = OFF');
    try {
      return this.tx(action, fn);
    } finally {
      this.db.pragma('foreign_keys = ON');
    }
  }

  // Another process on the same file (the CLI next to the app) shares this node id; reading its last
  // timestamp under the write lock keeps the two from issuing the same HLC.
  private loadClock(): void {
    const row = this.prepare('SELECT value FROM sync_state WHERE key = ?').get(CLOCK_STATE_KEY);
    if (row && typeof row.value === 'string' && row.value !== this.persistedClock && isHlc(row.value)) {
      this.clock.observe(row.value);
      this.persistedClock = row.value;
    }
  }

  // Written inside the same transaction as the rows it stamped, so after a restart the clock resumes above
  // every stored HLC even if the wall clock moved backwards meanwhile.
  private persistClock(): void {
    const last = this.clock.last();
    if (last === this.persistedClock) return;
    this.prepare(
      'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ).run(CLOCK_STATE_KEY, last);
    this.persistedClock = last;
  }

  // --- synced rows ------------------------------------------------------------------------------------

  private readonly rowSql = new Map<TableSpec<unknown>, { insert?: string; upsert?: string }>();

  /** The INSERT (or upsert) of a synced table's row; built once per table spec and mode. */
  private sqlFor(spec: TableSpec<unknown>, mode: 'insert' | 'upsert'): string {
    let bySpec = this.rowSql.get(spec);
    if (!bySpec) {
      bySpec = {};
      this.rowSql.set(spec, bySpec);
    }
    bySpec[mode] ??= this.buildRowSql(spec, mode);
    return bySpec[mode];
  }

  private buildRowSql(spec: TableSpec<unknown>, mode: 'insert' | 'upsert'): string {
    const cols = columnList(spec);
    const marks = spec.columns.map(() => '?').join(', ');
    const base = `INSERT INTO ${spec.name} (${cols}, hlc) VALUES (${marks}, ?)`;
    if (mode === 'insert') return base;
    // ON CONFLICT … DO UPDATE, never INSERT OR REPLACE: REPLACE deletes the old row first, which would
    // cascade to its galleries/assets/jobs.
    const sets = spec.columns
      .filter((c) => c.name !== 'id')
      .map((c) => `${c.name} = excluded.${c.name}`)
      .join(', ');
    return `${base} ON CONFLICT(id) DO UPDATE SET ${sets}, hlc = excluded.hlc`;
  }

  /** Writes a synced row with `hlc` and no outbox entry (remote rows, seeded defaults). */
  writeRow(spec: TableSpec<unknown>, row: SyncRow, hlc: string, mode: 'insert' | 'upsert'): void {
    this.prepare(this.sqlFor(spec, mode)).run(...syncRowToParams(spec, row), hlc);
  }

  /**
   * The one path for a local write to a synced table: stamps a fresh HLC on the field groups whose
   * values changed (every group for a new row), writes the row and queues it in the outbox with its
   * group clocks and the clocks the edit started from. Must run inside `tx`.
   */
  writeSynced<D>(spec: TableSpec<D>, value: D, mode: 'insert' | 'upsert'): string {
    const table = spec.name;
    const row = storedPaths(table, this.outputRoot, spec.toSyncRow(value));
    const rowId = String(row.id);
    const hlc = this.clock.now();
    const current =
      mode === 'upsert'
        ? (this.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(rowId) as Row | undefined)
        : undefined;
    // null = a new row (every group new to this edit); otherwise the groups edited and their old clocks.
    let base: Record<string, string> | null = null;
    let clocks: FieldClocks;
    if (!current) {
      clocks = fullClocks(table, hlc, null);
    } else {
      base = {};
      const before = this.fieldClocks(table, rowId, current.hlc as string);
      const changed = changedGroups(table, dbRowToSyncRow(spec as TableSpec<unknown>, current), row);
      // A rewrite that changes no group (only its stamp) still moves the row: count it as core.
      if (changed.length === 0) changed.push(groupNames(table)[0] as string);
      clocks = { ...before };
      for (const g of changed) {
        clocks[g] = hlc;
        base[g] = before[g] ?? '';
      }
    }
    this.writeRow(spec as TableSpec<unknown>, row, hlc, mode);
    this.saveFieldClocks(table, rowId, hlc, clocks, current !== undefined);
    this.enqueueOutbox(table, rowId, row, hlc, compactClocks(table, hlc, clocks), base);
    return hlc;
  }

  /** A stored row as its domain object, with file paths resolved for this machine. */
  toDomain<D>(spec: TableSpec<D>, row: Row): D {
    const value = rowToDomain(spec, row);
    const cols = PATH_COLUMNS[spec.name];
    if (!cols || this.outputRoot === null) return value;
    const out = { ...(value as Record<string, unknown>) };
    for (const c of spec.columns) {
      if (!cols.includes(c.name)) continue;
      const v = out[c.key];
      if (typeof v === 'string') out[c.key] = toLocalPath(this.outputRoot, v);
    }
    return out as D;
  }

  /** Every group's clock of a stored row (`hlc` = the row's hlc column). */
  fieldClocks(table: SyncedTable, rowId: string, hlc: string): FieldClocks {
    const stored = this.prepare('SELECT clocks FROM sync_field_clocks WHERE tbl = ? AND row_id = ?').get(
      table,
      rowId,
    );
    const parsed = stored ? parseClocks(table, stored.clocks, `sync_field_clocks ${table} ${rowId}`) : null;
    return fullClocks(table, hlc, parsed);
  }

  /** Stores a row's group clocks; no entry when they all equal the row's hlc. */
  saveFieldClocks(
    table: SyncedTable,
    rowId: string,
    hlc: string,
    clocks: FieldClocks,
    existed: boolean,
  ): void {
    const compact = compactClocks(table, hlc, clocks);
    if (compact) {
      this.prepare(
        `INSERT INTO sync_field_clocks (tbl, row_id, clocks) VALUES (?, ?, ?)
         ON CONFLICT (tbl, row_id) DO UPDATE SET clocks = excluded.clocks`,
      ).run(table, rowId, JSON.stringify(compact));
    } else if (existed) {
      this.prepare('DELETE FROM sync_field_clocks WHERE tbl = ? AND row_id = ?').run(table, rowId);
    }
  }

  /**
   * Queues a row for push, replacing an older pending entry for the same row in place: DO UPDATE keeps
   * the entry's rowid, so its position in the push order (a parent before its children) is kept. The
   * pending entry's base clocks win over the new ones: the edit started from the older state; a pending
   * new row (base null) stays a new row.
   */
  enqueueOutbox(
    table: SyncedTable,
    rowId: string,
    row: SyncRow,
    hlc: string,
    clocks: FieldClocks | null = null,
    base: Record<string, string> | null = null,
  ): void {
    this.prepare(
      `INSERT INTO outbox (op_id, tbl, row_id, row, hlc, created_at, clocks, base) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tbl, row_id) DO UPDATE SET
         op_id = excluded.op_id, row = excluded.row, hlc = excluded.hlc, created_at = excluded.created_at,
         clocks = excluded.clocks,
         base = CASE WHEN outbox.base IS NULL OR excluded.base IS NULL THEN NULL
                     ELSE json_patch(excluded.base, outbox.base) END`,
    ).run(
      randomUUID(),
      table,
      rowId,
      JSON.stringify(row),
      hlc,
      this.nowIso(),
      clocks ? JSON.stringify(clocks) : null,
      base ? JSON.stringify(base) : null,
    );
    this.queuedInTx = true;
  }

  /**
   * Validates `next` (the current object with a patch applied) and writes it when it differs from
   * `current`, stamping `updatedAt`. A no-op patch writes nothing and queues nothing.
   */
  updateSynced<D extends { updatedAt: string }>(
    spec: TableSpec<D>,
    current: D,
    next: unknown,
    field: string,
  ): D {
    const merged = parseOrThrow(spec.schema, next, field);
    if (JSON.stringify(merged) === JSON.stringify(current)) return current;
    const stored = { ...merged, updatedAt: this.nowIso() };
    this.writeSynced(spec, stored, 'upsert');
    return stored;
  }
}
