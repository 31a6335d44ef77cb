// One push batch = one Postgres transaction:
//   1. take the schema's write lock SHARED (pushes of disjoint rows run side by side; a puller takes it
//      exclusively for an instant to read a watermark no running push can fall below);
//   2. refuse the batch when a timestamp runs further ahead of the server's clock than the team's
//      drift bound (SY001: the station's clock is wrong; its drafts stay queued locally);
//   3. drop op ids already in applied_ops (a batch retried after a lost reply changes nothing);
//   4. per table: lock the rows already there (id order, so two pushers never deadlock) and read them,
//      then one multi-row upsert that merges field group by field group (the higher clock wins each);
//   5. keep every losing version of a field group that was edited concurrently in sync_conflicts;
//   6. record the op ids, commit. The caller acks the outbox only after the commit returned.
import type { ClientBase } from 'pg';
import { ShowcaseError } from '../../../shared/index.ts';
import type { OutboxEntry, SyncedTable, SyncRow, TableSpec } from '../store/index.ts';
import {
  differingColumns,
  fullClocks,
  groupNames,
  groupsOf,
  parseClocks,
  parseHlc,
  STAMP_COLUMN,
  syncedTables,
  tableSpecs,
} from '../store/index.ts';
import { hlcNode, ident, pickColumns } from './rows.ts';
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

export type ConflictCause = 'concurrent_edit' | 'clock_skew' | 'schema';

/** A row of the server's sync_conflicts as written (and read back by the conflict exchange). */
export interface ServerConflictDraft {
  tbl: SyncedTable;
  row_id: string;
  /** The field group both edits changed ('' for a whole-row conflict from an older app). */
  grp: string;
  /** The group's columns whose values differ, comma-separated. */
  fields: string | null;
  cause: ConflictCause;
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
  /** This station's measured offset to the server's clock (ms), named in a skew refusal. */
  offsetMs?: number;
  /** Runs inside the transaction just before COMMIT (tests cut the connection here). */
  beforeCommit?: () => Promise<void> | void;
}

/** Code of the refusal of a batch whose timestamps run too far ahead of the server's clock. */
export const SKEW_REFUSED = 'SY001';

// HLC strings compare byte-wise in JS; "C" makes Postgres compare them the same way whatever the
// database's collation.
const C = 'COLLATE "C"';

const sqlCache = new Map<string, { lock: string; upsert: string }>();

function groupClock(side: 'excluded' | 't', group: string): string {
  return `coalesce(${side}.clocks->>'${group}', ${side}.hlc) ${C}`;
}

function tableSql(q: string, spec: TableSpec<unknown>): { lock: string; upsert: string } {
  const key = `${q}.${spec.name}`;
  const cached = sqlCache.get(key);
  if (cached) return cached;
  const table = `${q}.${ident(spec.name)}`;
  const names = spec.columns.map((c) => ident(c.name));
  const defs = [
    ...spec.columns.map((c) => `${ident(c.name)} ${pgColumnTypes[c.type]}`),
    'op_id text',
    'hlc text',
    'clocks jsonb',
  ];
  const groups = groupsOf(spec.name);
  const newer = (g: string) => `${groupClock('excluded', g)} > ${groupClock('t', g)}`;
  const sets: string[] = [];
  for (const c of spec.columns) {
    if (c.name === 'id') continue;
    const n = ident(c.name);
    if (c.name === STAMP_COLUMN) {
      sets.push(`${n} = greatest(t.${n} ${C}, excluded.${n} ${C})`);
      continue;
    }
    const group = Object.entries(groups).find(([, cols]) => cols.includes(c.name))?.[0];
    if (!group) throw new ShowcaseError('internal', `${spec.name}.${c.name} belongs to no field group`);
    sets.push(`${n} = CASE WHEN ${newer(group)} THEN excluded.${n} ELSE t.${n} END`);
  }
  const clocks = Object.keys(groups)
    .map((g) => `'${g}', greatest(${groupClock('excluded', g)}, ${groupClock('t', g)})`)
    .join(', ');
  const stamp = spec.columns.some((c) => c.name === STAMP_COLUMN)
    ? ` OR excluded.${ident(STAMP_COLUMN)} ${C} > t.${ident(STAMP_COLUMN)} ${C}`
    : '';
  const upsert = `INSERT INTO ${table} AS t (${names.join(', ')}, hlc, clocks)
SELECT ${names.join(', ')}, hlc, clocks FROM json_to_recordset($1::json) AS x(${defs.join(', ')}) ORDER BY id ${C}
ON CONFLICT (id) DO UPDATE SET ${sets.join(', ')},
  hlc = greatest(t.hlc ${C}, excluded.hlc ${C}), clocks = jsonb_build_object(${clocks})
WHERE ${Object.keys(groups).map(newer).join(' OR ')}${stamp}
RETURNING t.id, (xmax = 0) AS inserted`;
  const lock = `SELECT t.id, t.hlc, t.clocks, t.seq::text AS seq, row_to_json(t) AS row FROM ${table} t
WHERE t.id = ANY($1::text[]) ORDER BY t.id ${C} FOR UPDATE`;
  const built = { lock, upsert };
  sqlCache.set(key, built);
  return built;
}

interface PriorRow {
  id: string;
  hlc: string;
  clocks: unknown;
  seq: string;
  row: Record<string, unknown>;
}

export async function insertServerConflicts(
  client: ClientBase,
  q: string,
  conflicts: readonly ServerConflictDraft[],
): Promise<number> {
  if (conflicts.length === 0) return 0;
  const result = await client.query(
    `INSERT INTO ${q}.sync_conflicts
       (tbl, row_id, grp, fields, cause, loser, loser_hlc, loser_node, winner, winner_hlc, winner_node, reason,
        reported_by, op_id)
     SELECT tbl, row_id, grp, fields, cause, loser, loser_hlc, loser_node, winner, winner_hlc, winner_node, reason,
            reported_by, op_id
       FROM json_to_recordset($1::json) AS x(tbl text, row_id text, grp text, fields text, cause text, loser json,
            loser_hlc text, loser_node text, winner json, winner_hlc text, winner_node text, reason text,
            reported_by text, op_id text)
     ON CONFLICT (tbl, row_id, grp, loser_hlc) DO NOTHING`,
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

/** The server's clock in ms and the team's drift bound, read inside the batch's transaction. */
async function serverTime(client: ClientBase, q: string): Promise<{ nowMs: number; maxDriftMs: number }> {
  const { rows } = await client.query<{ now_ms: string; drift: string | null }>(
    `SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS now_ms,
            (SELECT value FROM ${q}.sync_meta WHERE key = 'max_drift_ms') AS drift`,
  );
  const drift = Number(rows[0]?.drift ?? 300_000);
  return {
    nowMs: Number(rows[0]?.now_ms ?? Date.now()),
    maxDriftMs: Number.isFinite(drift) ? drift : 300_000,
  };
}

function skewRefusal(entry: OutboxEntry, ahead: number, ctx: PushContext, maxDriftMs: number): ShowcaseError {
  const node = hlcNode(entry.hlc) || ctx.nodeId;
  const secs = Math.round(ahead / 1000);
  return new ShowcaseError(
    'sync_error',
    `${SKEW_REFUSED}: the team database refused changes from workstation ${node}: its clock is ${secs} s ahead of the server's (offset ${Math.round((ctx.offsetMs ?? 0) / 1000)} s, allowed ${Math.round(maxDriftMs / 1000)} s)`,
    {
      hint: "Fix this computer's clock (enable network time). Its edits stay saved locally and sync once the clock is right.",
      details: { code: SKEW_REFUSED, node, aheadMs: ahead, offsetMs: ctx.offsetMs ?? 0, maxDriftMs },
      retryable: true,
    },
  );
}

/** Which groups a pending entry edited and from which clock ('' = the row was new to it). */
function editedGroups(
  entry: OutboxEntry,
  prior: PriorRow | undefined,
  checkpoint: number,
): Record<string, string> {
  if (entry.base) return entry.base;
  // An entry queued by an older app carries no base: the pusher saw the server's version only if
  // its pull checkpoint passed it.
  const seen = prior && Number(prior.seq) <= checkpoint ? prior : undefined;
  const out: Record<string, string> = {};
  for (const g of groupNames(entry.table)) {
    out[g] = seen
      ? (fullClocks(entry.table, seen.hlc, parseClocks(entry.table, seen.clocks, 'clocks'))[g] ?? '')
      : '';
  }
  return out;
}

/** Pushes `entries` in one transaction (see the file comment). Throws on any failure, having rolled back. */
export async function pushBatch(
  client: ClientBase,
  entries: readonly OutboxEntry[],
  ctx: PushContext,
): Promise<BatchResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await pushOnce(client, entries, ctx);
    } catch (err) {
      // Two pushers creating the same new row at the same instant: run the batch again, now seeing it.
      // A deadlock (40P01) between pushers of overlapping rows is retried the same way.
      const retry = err instanceof RetryBatch || (err as { code?: string }).code === '40P01';
      if (!retry || attempt >= 3) throw err;
    }
  }
}

class RetryBatch extends Error {}

async function pushOnce(
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
    await client.query('SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))', [
      lockKey(ctx.schema, 'write'),
    ]);
    const { nowMs, maxDriftMs } = await serverTime(client, q);
    for (const e of entries) {
      const ahead = parseHlc(e.hlc).physical - nowMs;
      if (ahead > maxDriftMs) throw skewRefusal(e, ahead, ctx, maxDriftMs);
    }
    const done = await client.query<{ op_id: string }>(
      `SELECT op_id FROM ${q}.applied_ops WHERE op_id = ANY($1::text[])`,
      [entries.map((e) => e.opId)],
    );
    const already = new Set(done.rows.map((r) => r.op_id));

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

    // Tables in one fixed order (parents first), so concurrent pushers take row locks in the same order.
    for (const table of syncedTables) {
      const list = byTable.get(table);
      if (!list) continue;
      const spec: TableSpec<unknown> = tableSpecs[table];
      const sql = tableSql(q, spec);
      const priorRows = await client.query<PriorRow>(sql.lock, [list.map((e) => e.rowId)]);
      const prior = new Map(priorRows.rows.map((r) => [r.id, r]));
      const payload = JSON.stringify(
        list.map((e) => ({ ...e.row, id: e.rowId, op_id: e.opId, hlc: e.hlc, clocks: e.clocks })),
      );
      const { rows } = await client.query<{ id: string; inserted: boolean }>(sql.upsert, [payload]);
      const inserted = new Map(rows.map((r) => [r.id, r.inserted]));
      for (const entry of list) {
        const c = counts(tables, table);
        const p = prior.get(entry.rowId);
        if (!p) {
          // Not there when we locked, yet updated rather than inserted: another pusher created it
          // meanwhile, and its version was never compared with ours.
          if (inserted.get(entry.rowId) === false) throw new RetryBatch();
          outcomes.set(entry.opId, 'applied');
          c.applied += 1;
          continue;
        }
        const mine = fullClocks(table, entry.hlc, parseClocks(table, entry.clocks, 'clocks'));
        const theirs = fullClocks(table, p.hlc, parseClocks(table, p.clocks, 'clocks'));
        const priorRow = pickColumns(spec, p.row);
        let newer = 0;
        let older = 0;
        for (const g of groupNames(table)) {
          if ((mine[g] ?? '') > (theirs[g] ?? '')) newer += 1;
          else if ((mine[g] ?? '') < (theirs[g] ?? '')) older += 1;
        }
        const outcome: PushOutcome = newer > 0 ? 'applied' : older > 0 ? 'lost' : 'same';
        outcomes.set(entry.opId, outcome);
        c[outcome] += 1;
        for (const [g, base] of Object.entries(editedGroups(entry, p, ctx.checkpoint))) {
          const m = mine[g] ?? '';
          const th = theirs[g] ?? '';
          // A fast-forward (the server still had what the edit started from) or the same version.
          if (th === base || th === m) continue;
          const fields = differingColumns(table, g, priorRow, entry.row);
          if (fields.length === 0) continue;
          const mineWon = m > th;
          const [loser, loserHlc, winner, winnerHlc] = mineWon
            ? [priorRow, th, entry.row, m]
            : [entry.row, m, priorRow, th];
          conflicts.push({
            tbl: table,
            row_id: entry.rowId,
            grp: g,
            fields: fields.join(','),
            cause: 'concurrent_edit',
            loser,
            loser_hlc: loserHlc,
            loser_node: hlcNode(loserHlc),
            winner,
            winner_hlc: winnerHlc,
            winner_node: hlcNode(winnerHlc),
            reason: mineWon ? 'push_overwrote' : 'push_lost',
            reported_by: ctx.nodeId,
            op_id: entry.opId,
          });
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
