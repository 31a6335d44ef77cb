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
 * - Push: outbox batches, one Postgres transaction each, idempotent by op id (`applied_ops`), row-level
 *   last writer wins by HLC; the outbox is acked after the commit.
 * - Pull: rows whose server change sequence is above the local checkpoint, in pages; each page and the
 *   new checkpoint commit in one local transaction through `store.remoteTransaction`.
 * - Conflicts: every losing version is kept in `sync_conflicts`, on the server and in the local store of
 *   each workstation that wrote one of the two versions.
 * - Errors are ShowcaseErrors: `backend_unreachable` (retryable), `auth_failed`, `sync_error` (database
 *   missing, schema newer than the app …). The password never appears in a message or a log line.
 */
export { describeTarget, type PgTarget, scrub, toSyncError } from './connection.ts';
export {
  type BackgroundOptions,
  type PullResult,
  type PushResult,
  SYNC_STATE_KEYS,
  SyncEngine,
  type SyncEngineOptions,
  type SyncHooks,
  type SyncLogger,
  type SyncLogLevel,
  type SyncResult,
  type TableCounts,
} from './engine.ts';
export type { PushTableCounts } from './push.ts';
export {
  DEFAULT_SCHEMA,
  type MigrateResult,
  migrate,
  PG_SCHEMA_VERSION,
  type PgMigration,
  pgColumnTypes,
  pgMigrations,
} from './schema.ts';
