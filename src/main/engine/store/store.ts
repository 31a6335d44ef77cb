import Database from 'better-sqlite3';
import { AssetRepository } from './assets.ts';
import { ConflictRepository } from './conflicts.ts';
import { CLOCK_STATE_KEY, type NotPromise, StoreCore } from './core.ts';
import { EditHistoryRepository } from './edit-history.ts';
import { GalleryRepository } from './galleries.ts';
import { HybridClock, isHlc, newNodeId } from './hlc.ts';
import { JobRepository } from './jobs.ts';
import { assertCurrent, migrate, schemaVersion } from './migrations.ts';
import { ModelUsageRepository } from './model-usage.ts';
import { OutboxRepository } from './outbox.ts';
import { PresetRepository } from './presets.ts';
import { prepareDatabaseFile } from './private-files.ts';
import { ProductRepository } from './products.ts';
import { type ApplyRemoteResult, applyRemoteRow } from './remote.ts';
import { SecretsFile, secretsPathFor } from './secrets-file.ts';
import { SettingsRepository } from './settings.ts';
import { type Db, toStoreError } from './sql.ts';
import { SyncLocalRepository } from './sync-local.ts';
import { NODE_ID_KEY, SyncStateRepository } from './sync-state.ts';

export interface OpenStoreOptions {
  /** Open without writing anything (no migrations; the schema must already be current). */
  readonly?: boolean;
  /** How long a write waits for another connection's lock before failing with a retryable error. */
  busyTimeoutMs?: number;
  /** Wall clock in ms, for timestamps and the HLC (tests inject a fake one). */
  now?: () => number;
  /** See `HybridClockOptions.maxDriftMs`. */
  maxClockDriftMs?: number;
  /** The settings' secrets file; default `<name>.secrets.json` beside the database (memory for `:memory:`). */
  secretsPath?: string | null;
  /**
   * The folder generated files live in: file paths are stored (and synced) relative to it and handed
   * out resolved against it. Without it paths pass through as given.
   */
  outputRoot?: string;
}

export interface StoreDiagnostics {
  path: string;
  readonly: boolean;
  schemaVersion: number;
  nodeId: string;
  journalMode: string;
  foreignKeys: boolean;
  busyTimeoutMs: number;
  synchronous: 'off' | 'normal' | 'full' | 'extra' | 'unknown';
  sqliteVersion: string;
}

export class Store {
  readonly path: string;
  readonly readonly: boolean;
  readonly products: ProductRepository;
  readonly galleries: GalleryRepository;
  readonly assets: AssetRepository;
  readonly jobs: JobRepository;
  readonly modelUsage: ModelUsageRepository;
  readonly presets: PresetRepository;
  readonly settings: SettingsRepository;
  readonly outbox: OutboxRepository;
  readonly syncState: SyncStateRepository;
  readonly conflicts: ConflictRepository;
  /** Preset/prompt versions and derived-image sources (local, migration 3). */
  readonly edits: EditHistoryRepository;
  /** Parked pulled rows, the syncer lease and the clock repair (schema v2). */
  readonly syncLocal: SyncLocalRepository;
  private readonly core: StoreCore;

  constructor(core: StoreCore, path: string, secrets: SecretsFile = new SecretsFile(null)) {
    this.core = core;
    this.path = path;
    this.readonly = core.readonly;
    this.products = new ProductRepository(core);
    this.galleries = new GalleryRepository(core);
    this.assets = new AssetRepository(core);
    this.jobs = new JobRepository(core);
    this.modelUsage = new ModelUsageRepository(core);
    this.presets = new PresetRepository(core);
    this.settings = new SettingsRepository(core, secrets);
    this.outbox = new OutboxRepository(core);
    this.syncState = new SyncStateRepository(core);
    this.conflicts = new ConflictRepository(core);
    this.edits = new EditHistoryRepository(core);
    this.syncLocal = new SyncLocalRepository(core);
  }

  /** Called after each committed local write that queued something for push; returns the unsubscribe. */
  onLocalWrite(listener: () => void): () => void {
    return this.core.onLocalWrite(listener);
  }

  /** The folder file paths are stored relative to (null when the store was opened without one). */
  get outputRoot(): string | null {
    return this.core.outputRoot;
  }

  /** This installation's id in HLC timestamps (persisted in sync_state). */
  get nodeId(): string {
    return this.core.clock.nodeId;
  }

  /** The hybrid logical clock every local write is stamped with. */
  get clock(): HybridClock {
    return this.core.clock;
  }

  /** Changes with every open; jobs still `running` from another session were interrupted. */
  get sessionId(): string {
    return this.core.sessionId;
  }

  get schemaVersion(): number {
    return schemaVersion(this.core.db);
  }

  /** The connection's settings as SQLite reports them (for a diagnostics view and tests). */
  diagnostics(): StoreDiagnostics {
    const db = this.core.db;
    return {
      path: this.path,
      readonly: this.readonly,
      schemaVersion: this.schemaVersion,
      nodeId: this.nodeId,
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      foreignKeys: db.pragma('foreign_keys', { simple: true }) === 1,
      busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
      synchronous:
        (['off', 'normal', 'full', 'extra'] as const)[Number(db.pragma('synchronous', { simple: true }))] ??
        'unknown',
      sqliteVersion: String(db.prepare('SELECT sqlite_version() AS v').pluck().get()),
    };
  }

  get isOpen(): boolean {
    return this.core.db.open;
  }

  /**
   * Runs `fn` in one write transaction; repository calls inside join it (savepoints), and a throw rolls
   * back every row and outbox entry written inside. `fn` must be synchronous.
   */
  transaction<T>(fn: () => NotPromise<T>): T {
    return this.core.tx('transaction', fn);
  }

  /**
   * Writes a row pulled from the server (a sync row, see tables.ts) without queuing it for push.
   * Outside a transaction it runs in its own with foreign keys suspended; inside `transaction` foreign
   * keys are enforced, so apply a pulled page with `remoteTransaction` instead.
   */
  applyRemote(table: string, row: unknown, hlc: string, clocks: unknown = null): ApplyRemoteResult {
    const apply = () => applyRemoteRow(this.core, table, row, hlc, clocks);
    return this.core.inTransaction
      ? this.core.tx('apply remote row', apply)
      : this.core.withForeignKeysSuspended('apply remote row', apply);
  }

  /**
   * One transaction for a pulled page: `applyRemote` calls and the checkpoint `syncState.set` inside
   * commit together. Foreign keys are not enforced inside (a child may arrive before its parent); it
   * cannot be nested in another transaction.
   */
  remoteTransaction<T>(fn: () => NotPromise<T>): T {
    return this.core.withForeignKeysSuspended('apply remote rows', fn);
  }

  /** Closes the connection (idempotent). Jobs still `running` stay so and are found by `recoverInterrupted`. */
  close(): void {
    if (!this.core.db.open) return;
    // SQLite's advice for long-lived connections: refresh planner statistics where they are stale.
    if (!this.readonly) {
      try {
        this.core.db.pragma('optimize');
      } catch {
        // best effort; the close matters more
      }
    }
    this.core.db.close();
  }
}

/**
 * Opens (creating and migrating when needed) the local store at `path`, or an in-memory one for
 * `':memory:'`. Throws `storage_error` when the file cannot be opened, is not a database, or has a
 * schema newer than this app.
 */
export function openStore(path: string, options: OpenStoreOptions = {}): Store {
  const readonly = options.readonly ?? false;
  const now = options.now ?? Date.now;
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const nowIso = () => new Date(now()).toISOString();
  let db: Db | undefined;
  try {
    // Private from the start: the WAL and shared-memory files SQLite creates take the file's mode.
    if (!readonly) prepareDatabaseFile(path);
    db = new Database(path, { readonly, fileMustExist: readonly, timeout: busyTimeoutMs });
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    // WAL: readers never block the writer (the UI reads while the engine writes). It is a property of
    // the file, so a read-only open just uses whatever the writer set.
    if (!readonly && path !== ':memory:') db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only a power cut can lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');

    if (readonly) assertCurrent(db, path);
    else migrate(db, path, nowIso);

    const state = (key: string) =>
      (db?.prepare('SELECT value FROM sync_state WHERE key = ?').get(key) as { value: string } | undefined)
        ?.value;
    if (!readonly) {
      // DO NOTHING + re-read: two processes opening a fresh file at once must end up with the same id.
      db.prepare('INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING').run(
        NODE_ID_KEY,
        newNodeId(),
      );
    }
    // A read-only open of a store that never wrote gets a throwaway id: it cannot stamp anything anyway.
    const nodeId = state(NODE_ID_KEY) ?? newNodeId();
    const last = state(CLOCK_STATE_KEY);
    const clock = new HybridClock(nodeId, {
      now,
      last: last && isHlc(last) ? last : null,
      ...(options.maxClockDriftMs === undefined ? {} : { maxDriftMs: options.maxClockDriftMs }),
    });
    const secrets = new SecretsFile(
      options.secretsPath === undefined ? secretsPathFor(path) : options.secretsPath,
    );
    const store = new Store(
      new StoreCore(db, clock, { readonly, now, outputRoot: options.outputRoot ?? null }),
      path,
      secrets,
    );
    // Secrets an older version kept in clear move to the secrets file (and are scrubbed from the file).
    if (!readonly) store.settings.moveSecretsOut();
    return store;
  } catch (err) {
    if (db?.open) db.close();
    throw toStoreError(err, `Cannot open the local store ${path}`);
  }
}
