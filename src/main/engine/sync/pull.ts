// Reading the server's changes: rows whose change sequence is above the puller's checkpoint and at or
// below a watermark, oldest first, in pages. Pushes hold the schema's write lock shared until they
// commit and run side by side, so a higher seq may commit before a lower one; the watermark is read
// holding that lock exclusively for an instant, when no push is in flight, so no row at or below it can
// still appear and the checkpoint never passes a row a slower transaction was about to commit.
import type { ClientBase } from 'pg';
import { type SyncedTable, syncedTables } from '../store/index.ts';
import type { ServerConflictDraft } from './push.ts';
import { lockKey } from './schema.ts';

/** Tables a workstation pulls (`jobs` summaries are push-only: each node keeps its own journal). */
export const pulledTables: readonly SyncedTable[] = syncedTables.filter((t) => t !== 'jobs');

export interface PulledRow {
  seq: number;
  table: SyncedTable;
  hlc: string;
  /** The row's field-group clocks as the server holds them (null: every group at `hlc`). */
  clocks: unknown;
  row: Record<string, unknown>;
}

export interface Page {
  rows: PulledRow[];
  /**
   * The checkpoint after this page. Rows the puller wrote itself are not sent back, so when the page
   * is not full this is the highest seq in the snapshot, not the last row's.
   */
  next: number;
  full: boolean;
}

const pageCache = new Map<string, string>();

// A station's own pushes come back too: the server merges field groups, so the row it holds may carry
// a colleague's newer group (or later stamp) next to ours even when our HLC is the row's newest.
function pageSql(q: string): string {
  let sql = pageCache.get(q);
  if (!sql) {
    const parts = pulledTables.map(
      (t) => `(SELECT seq, '${t}'::text AS tbl, hlc, row_to_json(t) AS row FROM ${q}.${t} t
          WHERE seq > $1 AND seq <= $3 ORDER BY seq LIMIT $2)`,
    );
    // ORDER BY u.seq, not seq: the output column `seq` is text and would sort '10' before '9'.
    sql = `SELECT u.seq::text AS seq, u.tbl, u.hlc, u.row FROM (${parts.join('\nUNION ALL\n')}) u ORDER BY u.seq LIMIT $2`;
    pageCache.set(q, sql);
  }
  return sql;
}

function highSql(q: string): string {
  return `SELECT greatest(${pulledTables.map((t) => `(SELECT max(seq) FROM ${q}.${t})`).join(', ')})::text`;
}

/**
 * The highest seq below which every change is committed: read while holding the write lock
 * exclusively (it waits for the pushes in flight, and new ones wait the instant it is held).
 */
export async function fetchWatermark(
  client: ClientBase,
  q: string,
  schema: string,
): Promise<{ seq: number; conflictId: number }> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockKey(schema, 'write')]);
    const high = await client.query<{ high: string | null; conflict: string | null }>(
      `SELECT (${highSql(q)}) AS high, (SELECT max(id)::text FROM ${q}.sync_conflicts) AS conflict`,
    );
    await client.query('COMMIT');
    return { seq: Number(high.rows[0]?.high ?? 0), conflictId: Number(high.rows[0]?.conflict ?? 0) };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

export async function fetchPage(
  client: ClientBase,
  q: string,
  options: { after: number; limit: number; nodeId: string; watermark: number },
): Promise<Page> {
  const result = await client.query<{
    seq: string;
    tbl: SyncedTable;
    hlc: string;
    row: Record<string, unknown>;
  }>(pageSql(q), [String(options.after), options.limit, String(options.watermark)]);
  const rows = result.rows.map((r) => ({
    seq: Number(r.seq),
    table: r.tbl,
    hlc: r.hlc,
    clocks: r.row.clocks ?? null,
    row: r.row,
  }));
  const full = rows.length >= options.limit;
  // Not full: everything up to the watermark has been seen (our own rows are not sent back).
  const next = full ? (rows.at(-1)?.seq ?? options.after) : Math.max(options.watermark, options.after);
  return { rows, next, full };
}

export interface ServerConflictRow extends ServerConflictDraft {
  id: number;
  resolved: boolean;
}

export interface ConflictPage {
  rows: ServerConflictRow[];
  next: number;
  full: boolean;
}

/** Server conflicts above `after` in which `nodeId` wrote the loser or the winner (one snapshot, like pages). */
export async function fetchConflicts(
  client: ClientBase,
  q: string,
  options: { after: number; limit: number; nodeId: string; watermark: number },
): Promise<ConflictPage> {
  const result = await client.query<Omit<ServerConflictRow, 'id'> & { id: string }>(
    `SELECT c.id::text AS id, tbl, row_id, grp, fields, cause, loser, loser_hlc, loser_node, winner, winner_hlc,
            winner_node, reason, reported_by, op_id, resolved
       FROM ${q}.sync_conflicts c
      WHERE c.id > $1 AND c.id <= $4 AND (c.loser_node = $3 OR c.winner_node = $3)
      ORDER BY c.id LIMIT $2`,
    [String(options.after), options.limit, options.nodeId, String(options.watermark)],
  );
  const rows = result.rows.map((r) => ({ ...r, id: Number(r.id) }));
  const full = rows.length >= options.limit;
  const next = full ? (rows.at(-1)?.id ?? options.after) : Math.max(options.watermark, options.after);
  return { rows, next, full };
}
