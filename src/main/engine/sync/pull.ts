// Reading the server's changes: rows whose change sequence is above the puller's checkpoint, oldest
// first, in pages. Writers hold the schema's write lock until they commit, so sequence order is commit
// order and "everything up to the highest visible seq" is a safe checkpoint.
import type { ClientBase } from 'pg';
import { type SyncedTable, syncedTables } from '../store/index.ts';
import type { ServerConflictDraft } from './push.ts';

/** Tables a workstation pulls (`jobs` summaries are push-only: each node keeps its own journal). */
export const pulledTables: readonly SyncedTable[] = syncedTables.filter((t) => t !== 'jobs');

export interface PulledRow {
  seq: number;
  table: SyncedTable;
  hlc: string;
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

// The HLC is `<13 digits>-<5 digits>-<node>`: the node starts at character 21.
function pageSql(q: string): string {
  let sql = pageCache.get(q);
  if (!sql) {
    const parts = pulledTables.map(
      (t) => `(SELECT seq, '${t}'::text AS tbl, hlc, row_to_json(t) AS row FROM ${q}.${t} t
          WHERE seq > $1 AND substr(hlc, 21) <> $3 ORDER BY seq LIMIT $2)`,
    );
    // ORDER BY u.seq, not seq: the output column `seq` is text and would sort '10' before '9'.
    sql = `SELECT u.seq::text AS seq, u.tbl, u.hlc, u.row FROM (${parts.join('\nUNION ALL\n')}) u ORDER BY u.seq LIMIT $2`;
    pageCache.set(q, sql);
  }
  return sql;
}

function highSql(q: string): string {
  return `SELECT greatest(${pulledTables.map((t) => `(SELECT max(seq) FROM ${q}.${t})`).join(', ')})::text AS high`;
}

export async function fetchPage(
  client: ClientBase,
  q: string,
  options: { after: number; limit: number; nodeId: string },
): Promise<Page> {
  // One snapshot for the page and the high-water mark.
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const result = await client.query<{
      seq: string;
      tbl: SyncedTable;
      hlc: string;
      row: Record<string, unknown>;
    }>(pageSql(q), [String(options.after), options.limit, options.nodeId]);
    const rows = result.rows.map((r) => ({ seq: Number(r.seq), table: r.tbl, hlc: r.hlc, row: r.row }));
    const full = rows.length >= options.limit;
    let next = rows.at(-1)?.seq ?? options.after;
    if (!full) {
      const high = await client.query<{ high: string | null }>(highSql(q));
      next = Math.max(next, Number(high.rows[0]?.high ?? 0), options.after);
    }
    await client.query('COMMIT');
    return { rows, next, full };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

export interface ServerConflictRow extends ServerConflictDraft {
  id: number;
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
  options: { after: number; limit: number; nodeId: string },
): Promise<ConflictPage> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const result = await client.query<Omit<ServerConflictRow, 'id'> & { id: string }>(
      `SELECT c.id::text AS id, tbl, row_id, loser, loser_hlc, loser_node, winner, winner_hlc, winner_node, reason,
              reported_by, op_id
         FROM ${q}.sync_conflicts c
        WHERE c.id > $1 AND (c.loser_node = $3 OR c.winner_node = $3)
        ORDER BY c.id LIMIT $2`,
      [String(options.after), options.limit, options.nodeId],
    );
    const rows = result.rows.map((r) => ({ ...r, id: Number(r.id) }));
    const full = rows.length >= options.limit;
    let next = rows.at(-1)?.id ?? options.after;
    if (!full) {
      const high = await client.query<{ high: string | null }>(
        `SELECT max(id)::text AS high FROM ${q}.sync_conflicts`,
      );
      next = Math.max(next, Number(high.rows[0]?.high ?? 0), options.after);
    }
    await client.query('COMMIT');
    return { rows, next, full };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
