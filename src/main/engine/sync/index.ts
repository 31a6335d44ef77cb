/**
 * Sync between the local store and the team PostgreSQL (offline first; nothing an operator did is lost).
 *
 * ```ts
 * const sync = new SyncEngine(store, { url: settings.postgresUrl, onStatus: (s) => emit('sync.status', s) });
 * await sync.syncOnce();                  // push the outbox, pull changes → { pushed, pulled, conflicts }
 * sync.start({ intervalMs: settings.syncIntervalSec * 1000 });
 * store.galleries.update(id, patch); sync.notifyChange();   // debounced round; never throws
 * sync.status();                          // SyncStatus for `sync.status`
 * await sync.close();
 * ```
 *
 * - Push: outbox batches, one Postgres transaction each (the write lock taken SHARED, so stations push
 *   side by side), idempotent by op id (`applied_ops`), merged per field group by HLC (copy, approval,
 *   seed, prompts, render, publish); a batch stamped beyond the server's drift bound is refused (SY001).
 * - Pull: rows between the local checkpoint and a watermark read under the exclusive write lock, in
 *   pages; each page and the new checkpoint commit in one local transaction. A row that cannot be
 *   applied is parked in `sync_retry` with the reason and retried every round.
 * - Conflicts: two edits of the same field group; the losing version is kept in `sync_conflicts`, on
 *   the server and in the local store of each workstation that wrote one of the two versions, with the
 *   field and the reason. A resolution anywhere resolves it everywhere.
 * - Clocks: each round measures the server's clock; HLC reads are corrected by the offset and a clock
 *   state left in the future is repaired. One process per store syncs at a time (lease, SY002).
 * - Errors are ShowcaseErrors: `backend_unreachable` (retryable), `auth_failed`, `sync_error` (database
 *   missing, schema newer than the app …). The password never appears in a message or a log line.
 */
export { describeTarget, type PgTarget, scrub, toSyncError } from './connection.ts';
export { SyncEngine } from './engine.ts';
export { type ConflictCause, type PushTableCounts, SKEW_REFUSED } from './push.ts';
export {
  DEFAULT_SCHEMA,
  type MigrateResult,
  migrate,
  PG_SCHEMA_VERSION,
  type PgMigration,
  pgColumnTypes,
  pgMigrations,
} from './schema.ts';
export {
  type BackgroundOptions,
  LEASE_BUSY,
  type PullResult,
  type PushResult,
  SYNC_STATE_KEYS,
  type SyncEngineOptions,
  type SyncHooks,
  type SyncLogger,
  type SyncLogLevel,
  type SyncResult,
  type TableCounts,
} from './types.ts';
