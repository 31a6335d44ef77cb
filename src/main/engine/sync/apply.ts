// Applying pulled rows locally: one page per local transaction together with its checkpoint. A row
// this store cannot take (its clock too far ahead of ours, invalid for this app version) is parked in
// sync_retry with the reason, so the checkpoint can move on without losing it; parked rows are tried
// again at the start of every pull, and a newer version of the row that applies replaces them.
import { ShowcaseError } from '../../../shared/index.ts';
import type { RetryReason, Store, SyncedTable } from '../store/index.ts';
import type { PulledRow } from './pull.ts';

// Store errors that mean "this one row cannot be applied here" rather than "the store is broken".
const ROW_REJECT_CODES: ReadonlySet<string> = new Set([
  'invalid_input',
  'sync_error',
  'conflict',
  'not_found',
]);

export interface ApplyCounts {
  pulled: number;
  unchanged: number;
  stale: number;
  /** Rows parked for a retry (this round). */
  rejected: number;
  /** Parked rows that applied this time. */
  recovered: number;
  tables: Partial<Record<SyncedTable, number>>;
}

export function emptyCounts(): ApplyCounts {
  return { pulled: 0, unchanged: 0, stale: 0, rejected: 0, recovered: 0, tables: {} };
}

function reasonOf(err: ShowcaseError): RetryReason {
  if (err.code === 'sync_error') return 'clock_skew';
  if (err.code === 'invalid_input') return 'schema';
  return 'other';
}

type Warn = (message: string, fields?: Record<string, unknown>) => void;

/** Applies one row; parks it when it cannot be applied. Must run inside `store.remoteTransaction`. */
function applyOne(
  store: Store,
  r: Omit<PulledRow, 'seq'>,
  counts: ApplyCounts,
  warn: Warn,
  retry: boolean,
  anyParked: boolean,
): void {
  const rowId = String(r.row.id ?? '');
  try {
    const applied = store.applyRemote(r.table, r.row, r.hlc, r.clocks);
    if (applied.outcome === 'inserted' || applied.outcome === 'updated') {
      counts.pulled += 1;
      counts.tables[r.table] = (counts.tables[r.table] ?? 0) + 1;
    } else if (applied.outcome === 'unchanged') counts.unchanged += 1;
    else if (applied.outcome === 'stale') counts.stale += 1;
    // This version (or a newer one) is in: an older parked version of the row is settled.
    if (anyParked) store.syncLocal.unpark(r.table, rowId, r.hlc);
    if (retry) counts.recovered += 1;
  } catch (err) {
    if (!(err instanceof ShowcaseError) || !ROW_REJECT_CODES.has(err.code)) throw err;
    // applyRemote ran in a savepoint, so nothing of this row was written.
    store.syncLocal.park({
      table: r.table,
      rowId,
      row: r.row as never,
      hlc: r.hlc,
      clocks: (r.clocks ?? null) as never,
      reason: reasonOf(err),
      message: err.message,
    });
    if (!retry) counts.rejected += 1;
    warn(`pulled ${r.table} ${rowId} was not applied (kept for retry): ${err.message}`, { code: err.code });
  }
}

/** Applies a page and moves the checkpoint in one local transaction. */
export function applyPage(
  store: Store,
  rows: readonly PulledRow[],
  checkpoint: { key: string; value: number },
  warn: Warn,
): ApplyCounts {
  const counts = emptyCounts();
  store.remoteTransaction(() => {
    const anyParked = store.syncLocal.parkedCount() > 0;
    for (const r of rows) applyOne(store, r, counts, warn, false, anyParked || counts.rejected > 0);
    store.syncState.set(checkpoint.key, String(checkpoint.value));
  });
  return counts;
}

/** Tries every parked row again (oldest first). */
export function retryParked(store: Store, warn: Warn): ApplyCounts {
  const counts = emptyCounts();
  const parked = store.syncLocal.parked();
  if (parked.length === 0) return counts;
  store.remoteTransaction(() => {
    for (const p of parked) {
      const row = p.row !== null && typeof p.row === 'object' && !Array.isArray(p.row) ? p.row : {};
      applyOne(store, { table: p.table, hlc: p.hlc, clocks: p.clocks, row }, counts, warn, true, true);
    }
  });
  return counts;
}
