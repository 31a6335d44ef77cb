// One push batch = one Postgres transaction:
//   1. take the schema's write lock (pushes commit one after another, so the change sequence grows in
//      commit order and a puller that has seen seq N has seen everything below N);
//   2. drop op ids already in applied_ops (a batch retried after a lost reply changes nothing);
//   3. per table, one multi-row upsert from a JSON array: last writer wins by HLC;
//   4. keep every losing version in sync_conflicts;
//   5. record the op ids, commit. The caller acks the outbox only after the commit returned.
import type { ClientBase } from 'pg';
import type { OutboxEntry, SyncedTable, SyncRow, TableSpec } from '../store/index.ts';
import { tableSpecs } from '../store/index.ts';
import { hlcNode, ident, pickColumns, sameContent } from './rows.ts';
import { lockKey, pgColumnTypes } from './schema.ts';

export type PushOutcome = 'applied' | 'lost' | 'same' | 'duplicate';

export interface PushTableCounts {
  applied: number;
  lost: number;
  same: number;
  duplicate: number;
}

export interface BatchResult {
  outcomes: Map<string, PushOutcome>;
  tables: Partial<Record<SyncedTable, PushTableCounts>>;
  /** Conflicts this batch added to the server's sync_conflicts. */
  conflicts: number;
}

/** A row of the server's sync_conflicts as written (and read back by the conflict exchange). */
export interface ServerConflictDraft {
  tbl: SyncedTable;
  row_id: string;
  loser: SyncRow;
  loser_hlc: string;
  loser_node: string;
  winner: SyncRow | null;
  winner_hlc: string | null;
  winner_node: string | null;
  reason: 'push_lost' | 'push_overwrote' | 'pull';
  reported_by: string;
  op_id: string | null;
}

export interface PushContext {
  schema: string;
  /** The quoted schema name. */
  q: string;
  nodeId: string;
  /** The pusher's pull checkpoint: server versions with a higher seq were never seen by the pusher. */
  checkpoint: number;
  /** Runs inside the transaction just before COMMIT (tests cut the connection here). */
  beforeCommit?: () => Promise<void> | void;
}

const upsertCache = new Map<string, string>();

function upsertSql(q: string, spec: TableSpec<unknown>): string {
  const key = `${q}.${spec.name}`;
  const cached = upsertCache.get(key);
  if (cached) return cached;
  const names = spec.columns.map((c) => ident(c.name));
  const defs = [
    ...spec.columns.map((c) => `${ident(c.name)} ${pgColumnTypes[c.type]}`),
    'op_id text',
    'hlc text',
  ];
  const list = names.join(', ');
  const sets = names
    .filter((n) => n !== '"id"')
    .map((n) => `${n} = excluded.${n}`)
    .join(', ');
  const table = `${q}.${ident(spec.name)}`;
  // `prior` and `up` read the same snapshot, so `prior` is the version each incoming row met.
  const sql = `WITH incoming AS (
  SELECT * FROM json_to_recordset($1::json) AS x(${defs.join(', ')})
), prior AS (
  SELECT t.id, t.hlc, t.seq, row_to_json(t) AS row FROM ${table} t WHERE t.id IN (SELECT id FROM incoming)
), up AS (
  INSERT INTO ${table} AS t (${list}, hlc) SELECT ${list}, hlc FROM incoming
  ON CONFLICT (id) DO UPDATE SET ${sets}, hlc = excluded.hlc WHERE excluded.hlc > t.hlc
  RETURNING t.id
)
SELECT i.op_id, i.id, p.hlc AS prior_hlc, p.seq::text AS prior_seq, p.row AS prior_row, (u.id IS NOT NULL) AS applied
FROM incoming i LEFT JOIN prior p ON p.id = i.id LEFT JOIN up u ON u.id = i.id`;
  upsertCache.set(key, sql);
  return sql;
}

interface UpsertRow {
  op_id: string;
  id: string;
  prior_hlc: string | null;
  prior_seq: string | null;
  prior_row: Record<string, unknown> | null;
  applied: boolean;
}

export async function insertServerConflicts(
  client: ClientBase,
  q: string,
  conflicts: readonly ServerConflictDraft[],
): Promise<number> {
  if (conflicts.length === 0) return 0;
  const result = await client.query(
    `INSERT INTO ${q}.sync_conflicts
       (tbl, row_id, loser, loser_hlc, loser_node, winner, winner_hlc, winner_node, reason, reported_by, op_id)
     SELECT tbl, row_id, loser, loser_hlc, loser_node, winner, winner_hlc, winner_node, reason, reported_by, op_id
       FROM json_to_recordset($1::json) AS x(tbl text, row_id text, loser json, loser_hlc text, loser_node text,
            winner json, winner_hlc text, winner_node text, reason text, reported_by text, op_id text)
     ON CONFLICT (tbl, row_id, loser_hlc) DO NOTHING`,
    [JSON.stringify(conflicts)],
  );
  return result.rowCount ?? 0;
}

function counts(tables: BatchResult['tables'], table: SyncedTable): PushTableCounts {
  let c = tables[table];
  if (!c) {
    c = { applied: 0, lost: 0, same: 0, duplicate: 0 };
    tables[table] = c;
  }
  return c;
}

/** Pushes `entries` in one transaction (see the file comment). Throws on any failure, having rolled back. */
export async function pushBatch(
  client: ClientBase,
  entries: readonly OutboxEntry[],
  ctx: PushContext,
): Promise<BatchResult> {
  const outcomes = new Map<string, PushOutcome>();
  const tables: BatchResult['tables'] = {};
  const conflicts: ServerConflictDraft[] = [];
  const { q } = ctx;

  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      lockKey(ctx.schema, 'write'),
    ]);
    const done = await client.query<{ op_id: string }>(
      `SELECT op_id FROM ${q}.applied_ops WHERE op_id = ANY($1::text[])`,
      [entries.map((e) => e.opId)],
    );
    const already = new Set(done.rows.map((r) => r.op_id));

    // Group by table in first-seen order; the outbox holds one entry per row, so ids are unique.
    const byTable = new Map<SyncedTable, OutboxEntry[]>();
    for (const e of entries) {
      if (already.has(e.opId)) {
        outcomes.set(e.opId, 'duplicate');
        counts(tables, e.table).duplicate += 1;
        continue;
      }
      const list = byTable.get(e.table) ?? [];
      list.push(e);
      byTable.set(e.table, list);
    }

    for (const [table, list] of byTable) {
      const spec: TableSpec<unknown> = tableSpecs[table];
      const byId = new Map(list.map((e) => [e.rowId, e]));
      const payload = JSON.stringify(list.map((e) => ({ ...e.row, id: e.rowId, op_id: e.opId, hlc: e.hlc })));
      const { rows } = await client.query<UpsertRow>(upsertSql(q, spec), [payload]);
      for (const r of rows) {
        const entry = byId.get(r.id);
        if (!entry) continue;
        const c = counts(tables, table);
        const prior = r.prior_row ? pickColumns(spec, r.prior_row) : null;
        if (r.applied) {
          outcomes.set(entry.opId, 'applied');
          c.applied += 1;
          // The pusher overwrote a version it had never pulled, written by another node: both edits
          // were made without seeing each other. HLC picked the winner; the other one is kept.
          if (
            prior &&
            r.prior_hlc &&
            Number(r.prior_seq) > ctx.checkpoint &&
            hlcNode(r.prior_hlc) !== hlcNode(entry.hlc) &&
            !sameContent(spec, prior, entry.row)
          ) {
            conflicts.push({
              tbl: table,
              row_id: entry.rowId,
              loser: prior,
              loser_hlc: r.prior_hlc,
              loser_node: hlcNode(r.prior_hlc),
              winner: entry.row,
              winner_hlc: entry.hlc,
              winner_node: hlcNode(entry.hlc),
              reason: 'push_overwrote',
              reported_by: ctx.nodeId,
              op_id: entry.opId,
            });
          }
        } else if (r.prior_hlc === entry.hlc) {
          outcomes.set(entry.opId, 'same');
          c.same += 1;
        } else {
          outcomes.set(entry.opId, 'lost');
          c.lost += 1;
          if (!prior || !sameContent(spec, prior, entry.row)) {
            conflicts.push({
              tbl: table,
              row_id: entry.rowId,
              loser: entry.row,
              loser_hlc: entry.hlc,
              loser_node: hlcNode(entry.hlc),
              winner: prior,
              winner_hlc: r.prior_hlc,
              winner_node: r.prior_hlc ? hlcNode(r.prior_hlc) : null,
              reason: 'push_lost',
              reported_by: ctx.nodeId,
              op_id: entry.opId,
            });
          }
        }
      }
    }

    const added = await insertServerConflicts(client, q, conflicts);
    const fresh = entries.filter((e) => {
      const o = outcomes.get(e.opId);
      return o !== undefined && o !== 'duplicate';
    });
    if (fresh.length > 0) {
      await client.query(
        `INSERT INTO ${q}.applied_ops (op_id, tbl, row_id, hlc, outcome)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         ON CONFLICT (op_id) DO NOTHING`,
        [
          fresh.map((e) => e.opId),
          fresh.map((e) => e.table),
          fresh.map((e) => e.rowId),
          fresh.map((e) => e.hlc),
          fresh.map((e) => outcomes.get(e.opId) as string),
        ],
      );
    }
    await ctx.beforeCommit?.();
    await client.query('COMMIT');
    return { outcomes, tables, conflicts: added };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
