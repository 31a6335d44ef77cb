// One sync round's two halves, apart from the engine that schedules rounds, holds the connection and
// the lease: push sends the outbox in batches (acked only after each commit), pull applies the server's
// pages between the checkpoint and a watermark. The conflict exchange is in exchange.ts.
import type { Client } from 'pg';
import type { OutboxEntry, Store, SyncedTable } from '../store/index.ts';
import { applyPage, retryParked } from './apply.ts';
import { fetchPage, fetchWatermark } from './pull.ts';
import { type PushTableCounts, pushBatch } from './push.ts';
import {
  addCounts,
  type PullResult,
  type PushResult,
  SYNC_STATE_KEYS,
  type SyncHooks,
  type SyncLogLevel,
  type TableCounts,
} from './types.ts';

/** What a round needs from the engine: its store and settings, and the lease to renew as it goes. */
export interface RoundContext {
  store: Store;
  schema: string;
  /** The quoted schema name. */
  q: string;
  batchSize: number;
  pullPageSize: number;
  hooks: SyncHooks;
  /** The server clock's offset measured at the start of the round. */
  offsetMs: number;
  now: () => number;
  /** Each committed batch or page extends the lease, so a long round keeps it. */
  renewLease: () => void;
  log: (level: SyncLogLevel, message: string, fields?: Record<string, unknown>) => void;
  /** The highest server conflict id the pull saw: the exchange reads conflicts up to it. */
  onConflictWatermark: (conflictId: number) => void;
}

/** Sends the outbox (the entries queued when it starts) in batches; acks each after its commit. */
export async function pushOutbox(client: Client, ctx: RoundContext): Promise<PushResult> {
  const result: PushResult = {
    pushed: 0,
    duplicates: 0,
    lost: 0,
    serverConflicts: 0,
    batches: 0,
    tables: {},
  };
  // A budget, not "until empty": an operator editing during the push keeps re-queuing rows, and
  // those are for the next round.
  const budget = ctx.store.outbox.count();
  let sent = 0;
  while (sent < budget) {
    const entries: OutboxEntry[] = ctx.store.outbox.peek(Math.min(ctx.batchSize, budget - sent));
    if (entries.length === 0) break;
    const batchNo = result.batches + 1;
    const checkpoint = Number(ctx.store.syncState.get(SYNC_STATE_KEYS.checkpoint) ?? 0);
    const before = ctx.hooks.beforePushCommit;
    const batch = await pushBatch(client, entries, {
      schema: ctx.schema,
      q: ctx.q,
      nodeId: ctx.store.nodeId,
      checkpoint,
      offsetMs: ctx.offsetMs,
      ...(before ? { beforeCommit: () => before(batchNo) } : {}),
    });
    ctx.renewLease();
    await ctx.hooks.afterPushCommit?.(batchNo);
    // Only now: had the reply been lost, the entries stay queued and the retry finds them applied.
    ctx.store.outbox.ack(entries.map((e) => e.opId));
    result.batches = batchNo;
    sent += entries.length;
    result.serverConflicts += batch.conflicts;
    for (const [table, c] of Object.entries(batch.tables) as [SyncedTable, PushTableCounts][]) {
      const t = result.tables[table] ?? { applied: 0, lost: 0, same: 0, duplicate: 0 };
      t.applied += c.applied;
      t.lost += c.lost;
      t.same += c.same;
      t.duplicate += c.duplicate;
      result.tables[table] = t;
      result.pushed += c.applied + c.lost + c.same;
      result.duplicates += c.duplicate;
      result.lost += c.lost;
    }
    ctx.log('debug', `pushed batch ${batchNo}`, { entries: entries.length, conflicts: batch.conflicts });
  }
  if (result.batches > 0)
    ctx.store.syncState.set(SYNC_STATE_KEYS.lastPushAt, new Date(ctx.now()).toISOString());
  return result;
}

/** Applies the server's rows above the local checkpoint, page by page (one local transaction each). */
export async function pullChanges(client: Client, ctx: RoundContext): Promise<PullResult> {
  const result: PullResult = {
    pulled: 0,
    received: 0,
    unchanged: 0,
    stale: 0,
    rejected: 0,
    recovered: 0,
    parked: 0,
    conflicts: 0,
    pages: 0,
    checkpoint: Number(ctx.store.syncState.get(SYNC_STATE_KEYS.checkpoint) ?? 0),
    tables: {},
  };
  const warn = (message: string, fields?: Record<string, unknown>) => ctx.log('warn', message, fields);
  const nodeId = ctx.store.nodeId;
  // Rows parked in an earlier round first: a newer clock or a fixed app may let them in now.
  const retried = retryParked(ctx.store, warn);
  result.recovered = retried.recovered;
  result.pulled += retried.pulled;
  for (const [table, n] of Object.entries(retried.tables) as [SyncedTable, number][]) {
    addCounts(result.tables, table, { pulled: n });
  }
  const watermark = await fetchWatermark(client, ctx.q, ctx.schema);
  ctx.onConflictWatermark(watermark.conflictId);
  for (;;) {
    const after = Number(ctx.store.syncState.get(SYNC_STATE_KEYS.checkpoint) ?? 0);
    const page = await fetchPage(client, ctx.q, {
      after,
      limit: ctx.pullPageSize,
      nodeId,
      watermark: watermark.seq,
    });
    if (page.rows.length === 0 && page.next <= after) break;
    const pageNo = result.pages + 1;
    // In the same local transaction as the rows: the checkpoint can never run ahead of them.
    const counts = applyPage(
      ctx.store,
      page.rows,
      { key: SYNC_STATE_KEYS.checkpoint, value: page.next },
      warn,
    );
    result.pages = pageNo;
    result.received += page.rows.length;
    result.pulled += counts.pulled;
    result.unchanged += counts.unchanged;
    result.stale += counts.stale;
    result.rejected += counts.rejected;
    result.checkpoint = page.next;
    for (const [table, n] of Object.entries(counts.tables) as [SyncedTable, number][]) {
      addCounts(result.tables, table, { pulled: n });
    }
    ctx.renewLease();
    await ctx.hooks.afterPullPage?.(pageNo);
    if (!page.full) break;
  }
  result.parked = ctx.store.syncLocal.parkedCount();
  if (result.pages > 0)
    ctx.store.syncState.set(SYNC_STATE_KEYS.lastPullAt, new Date(ctx.now()).toISOString());
  return result;
}

/** A round's per-table counts (push, pull and the conflict exchange) and its conflicts in all. */
export function roundTotals(
  push: PushResult,
  pull: PullResult,
  exchanged: Partial<Record<SyncedTable, number>>,
): { tables: Partial<Record<SyncedTable, TableCounts>>; conflicts: number } {
  const tables: Partial<Record<SyncedTable, TableCounts>> = {};
  for (const [table, c] of Object.entries(push.tables) as [SyncedTable, PushTableCounts][]) {
    addCounts(tables, table, { pushed: c.applied + c.lost + c.same });
  }
  for (const [table, c] of Object.entries(pull.tables) as [SyncedTable, TableCounts][]) {
    addCounts(tables, table, c);
  }
  let conflicts = pull.conflicts;
  for (const [table, n] of Object.entries(exchanged) as [SyncedTable, number][]) {
    addCounts(tables, table, { conflicts: n });
    conflicts += n;
  }
  return { tables, conflicts };
}
