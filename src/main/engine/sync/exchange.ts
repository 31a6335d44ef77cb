// The conflict exchange after push and pull: conflicts the server found (at push time, where both edits
// meet) are recorded in the local store of each workstation that wrote one of the two versions, once
// (by server id); resolutions travel both ways, so "keep mine" on one station resolves the server's
// conflict row and that conflict on every other station that holds it.
import type { Client } from 'pg';
import {
  isSyncedTable,
  type Store,
  type SyncConflict,
  type SyncedTable,
  type SyncRow,
} from '../store/index.ts';
import { fetchConflicts } from './pull.ts';
import { insertServerConflicts, type ServerConflictDraft } from './push.ts';
import { hlcNode } from './rows.ts';
import { lockKey } from './schema.ts';

export const EXCHANGE_KEYS = {
  conflictCheckpoint: 'conflict_checkpoint',
  conflictsUploaded: 'conflicts_uploaded',
} as const;

export interface ExchangeContext {
  client: Client;
  store: Store;
  schema: string;
  q: string;
  /** Highest server conflict id known committed (read with the pull's watermark). */
  watermark: number;
}

function isRow(value: unknown): value is SyncRow {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Conflicts recorded locally before v2 (found while pulling) that the server has not seen. */
function legacyDrafts(store: Store, local: SyncConflict[], uploadedUpTo: number): ServerConflictDraft[] {
  const drafts: ServerConflictDraft[] = [];
  for (const c of local) {
    if (c.id <= uploadedUpTo || c.serverId !== null || !c.localHlc || !c.remoteHlc) continue;
    if (!isSyncedTable(c.table) || !isRow(c.local) || !isRow(c.remote)) continue;
    const localLost = c.localHlc < c.remoteHlc;
    const [loser, loserHlc, winner, winnerHlc] = localLost
      ? [c.local, c.localHlc, c.remote, c.remoteHlc]
      : [c.remote, c.remoteHlc, c.local, c.localHlc];
    drafts.push({
      tbl: c.table,
      row_id: c.rowId,
      grp: '',
      fields: c.field,
      cause: c.reason,
      loser,
      loser_hlc: loserHlc,
      loser_node: hlcNode(loserHlc),
      winner,
      winner_hlc: winnerHlc,
      winner_node: hlcNode(winnerHlc),
      reason: 'pull',
      reported_by: store.nodeId,
      op_id: null,
    });
  }
  return drafts;
}

async function inTransaction(client: Client, schema: string, fn: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))', [
      lockKey(schema, 'write'),
    ]);
    await fn();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** Runs the exchange; returns the conflicts newly recorded locally, per table. */
export async function exchangeConflicts(ctx: ExchangeContext): Promise<Partial<Record<SyncedTable, number>>> {
  const { client, store, q } = ctx;
  const added: Partial<Record<SyncedTable, number>> = {};
  const nodeId = store.nodeId;
  const uploadedUpTo = Number(store.syncState.get(EXCHANGE_KEYS.conflictsUploaded) ?? 0);
  const newest = newestConflictId(store);
  if (newest > uploadedUpTo) {
    const drafts = legacyDrafts(store, store.conflicts.list(), uploadedUpTo);
    if (drafts.length > 0)
      await inTransaction(client, ctx.schema, () =>
        insertServerConflicts(client, q, drafts).then(() => undefined),
      );
  }

  // Resolutions made here go up …
  const mine = store.conflicts.unpushedResolutions();
  if (mine.length > 0) {
    await client.query(
      `UPDATE ${q}.sync_conflicts SET resolved = true, resolved_by = $2 WHERE id = ANY($1::bigint[])`,
      [mine.map((m) => String(m.serverId)), nodeId],
    );
    store.conflicts.markResolutionsPushed(mine.map((m) => m.id));
  }

  // … new conflicts this node took part in come down …
  let legacyKeys: Set<string> | null = null;
  const keyOf = (table: string, rowId: string, loserHlc: string | null) =>
    `${table}\u0000${rowId}\u0000${loserHlc ?? ''}`;
  for (;;) {
    const after = Number(store.syncState.get(EXCHANGE_KEYS.conflictCheckpoint) ?? 0);
    const page = await fetchConflicts(client, q, { after, limit: 500, nodeId, watermark: ctx.watermark });
    if (page.rows.length === 0 && page.next <= after) break;
    store.transaction(() => {
      for (const c of page.rows) {
        if (!isSyncedTable(c.tbl) || store.conflicts.hasServerId(c.id)) continue;
        // A whole-row conflict this store uploaded itself (kept before v2, without a server id).
        if (c.grp === '') {
          legacyKeys ??= new Set(
            store.conflicts
              .list()
              .filter((l) => l.serverId === null && l.localHlc && l.remoteHlc)
              .map((l) => keyOf(l.table, l.rowId, [l.localHlc ?? '', l.remoteHlc ?? ''].sort()[0] ?? null)),
          );
          if (legacyKeys.has(keyOf(c.tbl, c.row_id, c.loser_hlc))) continue;
        }
        const mineLost = c.loser_node === nodeId;
        const recorded = store.conflicts.record({
          table: c.tbl,
          rowId: c.row_id,
          local: mineLost ? c.loser : c.winner,
          remote: mineLost ? c.winner : c.loser,
          localHlc: mineLost ? c.loser_hlc : c.winner_hlc,
          remoteHlc: mineLost ? c.winner_hlc : c.loser_hlc,
          field: c.fields ?? null,
          reason: c.cause ?? 'concurrent_edit',
          serverId: c.id,
        });
        // Already resolved on the server by another station before we heard of it.
        if (c.resolved) store.conflicts.resolvedElsewhere([recorded.id]);
        added[c.tbl] = (added[c.tbl] ?? 0) + 1;
      }
      store.syncState.set(EXCHANGE_KEYS.conflictCheckpoint, String(page.next));
    });
    if (!page.full) break;
  }

  // … and resolutions made elsewhere close the same conflicts here.
  const open = store.conflicts.openWithServerId();
  if (open.length > 0) {
    const { rows } = await client.query<{ id: string }>(
      `SELECT id::text AS id FROM ${q}.sync_conflicts WHERE resolved AND id = ANY($1::bigint[])`,
      [open.map((o) => String(o.serverId))],
    );
    const resolved = new Set(rows.map((r) => Number(r.id)));
    store.conflicts.resolvedElsewhere(open.filter((o) => resolved.has(o.serverId)).map((o) => o.id));
  }
  const highest = newestConflictId(store);
  if (highest > uploadedUpTo) store.syncState.set(EXCHANGE_KEYS.conflictsUploaded, String(highest));
  return added;
}

/** The id of the newest local conflict (ids only grow), 0 when there is none. */
function newestConflictId(store: Store): number {
  const total = store.conflicts.count();
  if (total === 0) return 0;
  return store.conflicts.list({ offset: total - 1, limit: 1 })[0]?.id ?? 0;
}
