/**
 * The local store: one SQLite file (better-sqlite3, WAL, synchronous API) holding the catalog, the
 * showcases, the job journal and the sync bookkeeping. Everything here is synchronous; the engine runs
 * it off the UI thread.
 *
 * ```ts
 * const store = openStore(join(dataDir, 'showcase.db'));      // or ':memory:', or { readonly: true }
 * store.products.upsertMany(products);
 * const g = store.galleries.create({ ...draft });
 * store.jobs.enqueue([{ id, galleryId: g.id, kind: 'copy' }, { id: h, galleryId: g.id, kind: 'hero', dependsOn: [id] }]);
 * store.jobs.markRunning(id, { backend: 'ollama' });          // refused while a dependency is not done
 * store.jobs.setComfyPromptId(h, promptId);                  // BEFORE submitting to ComfyUI
 * store.jobs.markDone(id);
 * // In the engine only the lifecycle (engine/jobs/lifecycle.ts) makes these calls.
 * ```
 *
 * Repositories take and return the domain types of `src/shared` (validated with their zod schemas on
 * the way in and out). Mutations throw `ShowcaseError`: `invalid_input` naming the field, `not_found`,
 * `conflict` (duplicate id / illegal job transition), `storage_error` (retryable when the file is busy).
 *
 * ## For the sync module
 * - Every local write to a synced table (`products`, `product_galleries`, `assets`, `model_usage_log`,
 *   `prompt_presets`, plus a `jobs` summary when a job reaches done/failed/cancelled) stamps the row's
 *   `hlc` from `store.clock` and queues the whole row in `outbox` in the same transaction. A row has
 *   at most one pending entry: a newer write replaces it in place (new `opId`, same position).
 * - `store.outbox.peek(limit)` → `OutboxEntry[]` ({ opId, table, rowId, row, hlc, createdAt }), oldest
 *   first (a parent before its children); `store.outbox.ack(opIds)` removes pushed entries (ids that
 *   were superseded meanwhile are ignored, so the newer version stays queued); `store.outbox.count()`.
 * - Rows are "sync rows" (`SyncRow`): snake_case columns, JSON columns as JSON values, booleans as
 *   booleans, no `hlc`. `tableSpecs[table].columns` lists each table's columns with a type
 *   (text/integer/real/boolean/json) and nullability — enough to create the Postgres tables.
 * - `store.applyRemote(table, row, hlc, clocks)` writes a pulled row without queuing it, merged per field
 *   group (field-groups.ts: the higher clock wins each group) (`inserted | updated | unchanged | stale |
 *   skipped`); a pending local edit stays queued and the server keeps whichever loses. It advances the
 *   clock (`receive`), refusing a remote clock more than `maxClockDriftMs` ahead (`sync_error`). `jobs`
 *   rows are push-only and come back `skipped`.
 * - `store.remoteTransaction(() => { …applyRemote…; store.syncState.set('checkpoint', seq) })` applies a
 *   page atomically with foreign keys suspended (children may arrive before parents).
 * - `store.syncState.get/set/delete/all` — free-form key/value (`checkpoint`, `last_push_at`, …);
 *   `node_id` and `hlc_last` are the store's own. `store.conflicts.record/list/count/resolve`;
 *   `store.conflicts.resolveWith(id, 'local' | 'remote')` re-applies the kept version as a new local write.
 * - HLC helpers for the server side: `formatHlc`, `parseHlc`, `compareHlc`, `isHlc`, `HybridClock`.
 */
export type { AssetDraft, AssetPatch } from './assets.ts';
export { AssetRepository } from './assets.ts';
export type { ConflictQuery, SyncConflict, SyncConflictDraft } from './conflicts.ts';
export { ConflictRepository, conflictRecord } from './conflicts.ts';
export type { NotPromise } from './core.ts';
export type { DerivedSource, VersionDraft } from './edit-history.ts';
export { EditHistoryRepository } from './edit-history.ts';
export type { FieldClocks, GroupMap, Version } from './field-groups.ts';
export {
  changedGroups,
  compactClocks,
  differingColumns,
  fullClocks,
  groupNames,
  groupOfColumn,
  groupsOf,
  mergeVersions,
  parseClocks,
  rowHlc,
  STAMP_COLUMN,
} from './field-groups.ts';
export type { GalleryDraft, GalleryListQuery, GalleryPatch } from './galleries.ts';
export { GalleryRepository } from './galleries.ts';
export type { HlcParts, HybridClockOptions } from './hlc.ts';
export {
  compareHlc,
  DEFAULT_MAX_DRIFT_MS,
  formatHlc,
  HybridClock,
  isHlc,
  newNodeId,
  parseHlc,
} from './hlc.ts';
export type { JobDraft, JobEntry, JobListQuery } from './jobs.ts';
export { JobRepository } from './jobs.ts';
export { PATH_COLUMNS, toLocalPath, toStoredPath } from './local-paths.ts';
export type { Migration, MigrationResult } from './migrations.ts';
export { SCHEMA_VERSION } from './migrations.ts';
export type { ModelUsageDraft, ModelUsageQuery } from './model-usage.ts';
export { ModelUsageRepository } from './model-usage.ts';
export type { OutboxEntry } from './outbox.ts';
export { OutboxRepository } from './outbox.ts';
export type { PresetUpsert } from './presets.ts';
export { defaultPresets, PresetRepository, SEED_HLC } from './presets.ts';
export type {
  ProductListItem,
  ProductListPage,
  ProductListQuery,
  ProductListStatus,
  ProductUpsert,
  ProductUpsertResult,
} from './products.ts';
export { NO_GALLERY_STATUS, ProductRepository } from './products.ts';
export type { ApplyRemoteOutcome, ApplyRemoteResult } from './remote.ts';
export { isSyncedTable } from './remote.ts';
export { SettingsRepository } from './settings.ts';
export type { JsonObject, JsonValue, Paging } from './sql.ts';
export type { OpenStoreOptions, StoreDiagnostics } from './store.ts';
export { openStore, Store } from './store.ts';
export type { ClockRepair, LeaseHolder, RetryEntry, RetryReason } from './sync-local.ts';
export { SyncLocalRepository } from './sync-local.ts';
export type { SyncStateKey } from './sync-state.ts';
export { SyncStateRepository } from './sync-state.ts';
export type { ColumnSpec, ColumnType, SyncedTable, SyncRow, TableSpec } from './tables.ts';
export { syncedTables, tableSpecs } from './tables.ts';
