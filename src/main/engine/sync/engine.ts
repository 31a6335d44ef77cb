// SyncEngine: the local store ⇄ the team Postgres. Push sends the outbox in batches (one server
// transaction each, idempotent by op id, last writer wins by HLC); pull applies the server's changes
// above the local checkpoint; conflicts — a version that lost on either side — are kept in
// sync_conflicts locally and on the server and exchanged between the two workstations involved.
//
// Nothing here can break local drafting: the store is written only through `applyRemote` /
// `remoteTransaction` (never the outbox), background failures only change the status, and every
// message names the database as postgres://user:***@host/db.
import type { Client } from 'pg';
import { ShowcaseError, type SyncStatus } from '../../../shared/index.ts';
import {
  isSyncedTable,
  type OutboxEntry,
  type Store,
  type SyncConflict,
  type SyncedTable,
  type SyncRow,
  type TableSpec,
  tableSpecs,
} from '../store/index.ts';
import {
  describeTarget,
  isConnectionLoss,
  newClient,
  type PgTarget,
  scrub,
  toSyncError,
} from './connection.ts';
import { fetchConflicts, fetchPage } from './pull.ts';
import { insertServerConflicts, type PushTableCounts, pushBatch, type ServerConflictDraft } from './push.ts';
import { hlcNode, pickColumns, sameContent } from './rows.ts';
import { DEFAULT_SCHEMA, lockKey, type MigrateResult, migrate, quoteSchema } from './schema.ts';

export type SyncLogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Receives engine log lines; messages and fields never contain the database password. */
export type SyncLogger = (level: SyncLogLevel, message: string, fields?: Record<string, unknown>) => void;

/** Test seams at the points where a connection cut or a crash matters. */
export interface SyncHooks {
  /** Inside a push batch's transaction, just before COMMIT. */
  beforePushCommit?(batch: number): Promise<void> | void;
  /** After a push batch committed, before the outbox is acked (a throw here = the reply was lost). */
  afterPushCommit?(batch: number): Promise<void> | void;
  /** After a pulled page and its checkpoint committed locally. */
  afterPullPage?(page: number): Promise<void> | void;
}

export interface SyncEngineOptions {
  /** `postgres://user:password@host:5432/db`; without it the driver reads PGHOST, PGUSER, PGPASSWORD … */
  url?: string | null;
  /** Postgres schema holding the sync tables (default `showcase`). */
  schema?: string;
  /** Outbox entries per push transaction (default 500). */
  batchSize?: number;
  /** Rows per pulled page, each applied in one local transaction (default 1000). */
  pullPageSize?: number;
  log?: SyncLogger;
  /** Called with the new status whenever it changes (publish it as the `sync.status` event). */
  onStatus?: (status: SyncStatus) => void;
  connectTimeoutMs?: number;
  /** Server-side limit per statement (default 60 s; 0 = none). */
  statementTimeoutMs?: number;
  /** Environment for PG* variables (default process.env). */
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  hooks?: SyncHooks;
}

export interface BackgroundOptions {
  /** Time between rounds while online (default 60 s; Settings.syncIntervalSec). */
  intervalMs?: number;
  /** Delay after `notifyChange` before a round, coalescing bursts of edits (default 1 s). */
  debounceMs?: number;
  /** First retry delay while offline; doubles per failure (default 1 s). */
  initialBackoffMs?: number;
  /** Cap of the retry delay (default 5 min). */
  maxBackoffMs?: number;
}

export type TableCounts = { pushed: number; pulled: number; conflicts: number };

export interface PushResult {
  /** Outbox entries the server took for the first time (applied or kept as a losing version). */
  pushed: number;
  /** Entries the server already had (a retry after a lost reply): acknowledged, nothing changed. */
  duplicates: number;
  /** Entries whose version lost to a newer one already on the server (kept in sync_conflicts). */
  lost: number;
  /** Conflicts this push added to the server's sync_conflicts. */
  serverConflicts: number;
  batches: number;
  tables: Partial<Record<SyncedTable, PushTableCounts>>;
}

export interface PullResult {
  /** Rows written locally (inserted or updated). */
  pulled: number;
  received: number;
  unchanged: number;
  /** Rows older than the local version (kept the local one). */
  stale: number;
  /** Rows this store refused (invalid, clock too far ahead, slot taken): kept in sync_conflicts. */
  rejected: number;
  /** Local sync_conflicts rows this pull added. */
  conflicts: number;
  pages: number;
  checkpoint: number;
  tables: Partial<Record<SyncedTable, TableCounts>>;
}

export interface SyncResult {
  pushed: number;
  pulled: number;
  /** Conflicts newly recorded in the local sync_conflicts during this round. */
  conflicts: number;
  tables: Partial<Record<SyncedTable, TableCounts>>;
  push: PushResult;
  pull: PullResult;
  durationMs: number;
}

export const SYNC_STATE_KEYS = {
  checkpoint: 'checkpoint',
  lastPushAt: 'last_push_at',
  lastPullAt: 'last_pull_at',
  lastSyncAt: 'last_sync_at',
  conflictCheckpoint: 'conflict_checkpoint',
  conflictsUploaded: 'conflicts_uploaded',
  serverId: 'server_id',
} as const;

const DEFAULTS = {
  batchSize: 500,
  pullPageSize: 1000,
  connectTimeoutMs: 10_000,
  statementTimeoutMs: 60_000,
  intervalMs: 60_000,
  debounceMs: 1000,
  initialBackoffMs: 1000,
  maxBackoffMs: 5 * 60_000,
};

// Store errors that mean "this one row cannot be applied here" rather than "the store is broken".
const ROW_REJECT_CODES: ReadonlySet<string> = new Set([
  'invalid_input',
  'sync_error',
  'conflict',
  'not_found',
]);

function positiveInt(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new ShowcaseError('invalid_input', `${field}: must be a positive whole number`, {
      details: { fields: [field] },
    });
  }
  return value;
}

function addCounts(
  into: Partial<Record<SyncedTable, TableCounts>>,
  table: SyncedTable,
  add: Partial<TableCounts>,
) {
  const c = into[table] ?? { pushed: 0, pulled: 0, conflicts: 0 };
  c.pushed += add.pushed ?? 0;
  c.pulled += add.pulled ?? 0;
  c.conflicts += add.conflicts ?? 0;
  into[table] = c;
}

function conflictKey(table: string, rowId: string, loserHlc: string | null): string {
  return `${table}\u0000${rowId}\u0000${loserHlc ?? ''}`;
}

function localConflictKey(c: SyncConflict): string {
  // The losing version is always the one with the lower HLC (HLC strings sort in time order).
  const loser = c.localHlc && c.remoteHlc ? [c.localHlc, c.remoteHlc].sort()[0] : (c.localHlc ?? c.remoteHlc);
  return conflictKey(c.table, c.rowId, loser ?? null);
}

function isRow(value: unknown): value is SyncRow {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export class SyncEngine {
  readonly store: Store;
  /** Where the team database is, password redacted (`postgres://user:***@host:port/db`). */
  readonly target: string;
  readonly schema: string;
  readonly configured: boolean;
  private readonly pg: PgTarget;
  private readonly env: NodeJS.ProcessEnv;
  private readonly q: string;
  private readonly batchSize: number;
  private readonly pullPageSize: number;
  private readonly connectTimeoutMs: number;
  private readonly statementTimeoutMs: number;
  private readonly logger: SyncLogger | undefined;
  private readonly hooks: SyncHooks;
  private readonly now: () => number;
  private readonly listeners = new Set<(status: SyncStatus) => void>();

  private client: Client | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private online = false;
  private lastError: string | null = null;
  private lastEmitted = '';
  private lastMigration: MigrateResult | null = null;

  // background mode
  private running = false;
  private bg = {
    intervalMs: DEFAULTS.intervalMs,
    debounceMs: DEFAULTS.debounceMs,
    initialBackoffMs: DEFAULTS.initialBackoffMs,
    maxBackoffMs: DEFAULTS.maxBackoffMs,
  };
  private timer: NodeJS.Timeout | null = null;
  private dueAt = 0;
  private ticking = false;
  private changedDuringTick = false;
  private failures = 0;

  constructor(store: Store, options: SyncEngineOptions = {}) {
    this.store = store;
    const env = options.env ?? process.env;
    this.env = env;
    const url = options.url ?? undefined;
    this.pg = describeTarget(url || undefined, env);
    this.target = this.pg.display;
    this.configured = Boolean(url) || Boolean(env.PGHOST || env.PGDATABASE);
    this.schema = options.schema ?? DEFAULT_SCHEMA;
    this.q = quoteSchema(this.schema);
    this.batchSize = positiveInt(options.batchSize, DEFAULTS.batchSize, 'batchSize');
    this.pullPageSize = positiveInt(options.pullPageSize, DEFAULTS.pullPageSize, 'pullPageSize');
    this.connectTimeoutMs = positiveInt(
      options.connectTimeoutMs,
      DEFAULTS.connectTimeoutMs,
      'connectTimeoutMs',
    );
    this.statementTimeoutMs = options.statementTimeoutMs ?? DEFAULTS.statementTimeoutMs;
    this.logger = options.log;
    this.hooks = options.hooks ?? {};
    this.now = options.now ?? Date.now;
    if (options.onStatus) this.listeners.add(options.onStatus);
  }

  // --- status -----------------------------------------------------------------------------------------

  /** The current status (never throws; a closed store reads as zero pending ops). */
  status(): SyncStatus {
    const safe = <T>(fn: () => T, fallback: T): T => {
      try {
        return this.store.isOpen ? fn() : fallback;
      } catch {
        return fallback;
      }
    };
    return {
      configured: this.configured,
      online: this.online,
      pendingOps: safe(() => this.store.outbox.count(), 0),
      lastSyncAt: safe(() => this.store.syncState.get(SYNC_STATE_KEYS.lastSyncAt), null),
      conflicts: safe(() => this.store.conflicts.count({ resolved: false }), 0),
      error: this.lastError,
    };
  }

  /** Adds a status listener (called on every change); returns the function that removes it. */
  subscribe(listener: (status: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The migration the last connect ran (null before the first connect). */
  get migration(): MigrateResult | null {
    return this.lastMigration;
  }

  private emitStatus(): void {
    const status = this.status();
    const text = JSON.stringify(status);
    if (text === this.lastEmitted) return;
    this.lastEmitted = text;
    for (const listener of this.listeners) {
      try {
        listener(status);
      } catch (err) {
        this.log('warn', 'a sync status listener threw', {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }

  private log(level: SyncLogLevel, message: string, fields?: Record<string, unknown>): void {
    if (!this.logger) return;
    try {
      const safeFields = fields
        ? (JSON.parse(scrub(JSON.stringify(fields), this.pg)) as Record<string, unknown>)
        : undefined;
      this.logger(level, scrub(message, this.pg), safeFields);
    } catch {
      // logging must never break sync
    }
  }

  // --- connection ---------------------------------------------------------------------------------------

  /** Connects (and migrates the schema) if not connected yet. Throws a ShowcaseError. */
  async connect(): Promise<void> {
    await this.round('connect', async () => undefined);
  }

  private async connection(): Promise<Client> {
    if (this.closed) throw new ShowcaseError('sync_error', 'The sync engine is closed');
    if (!this.configured) {
      throw new ShowcaseError('sync_error', 'No team database is configured', {
        hint: 'Set the Postgres URL in Settings (or pass --pg postgres://user:password@host/db).',
      });
    }
    if (this.client) return this.client;
    const client = newClient(
      this.pg,
      {
        applicationName: `showcase-sync/${this.store.nodeId}`,
        connectTimeoutMs: this.connectTimeoutMs,
        statementTimeoutMs: this.statementTimeoutMs,
      },
      this.env,
    );
    // An idle connection that dies (server restart, terminated backend) emits 'error': without a
    // listener that would crash the process. The next round reconnects.
    client.on('error', (err) => {
      client.end().catch(() => {});
      // Before the connect finished, the failure reaches the caller as the connect's rejection.
      if (this.client !== client) return;
      this.client = null;
      this.log('warn', 'team database connection lost', { error: toSyncError(err, this.pg, 'idle').message });
    });
    try {
      await client.connect();
      this.lastMigration = await migrate(client, this.schema);
      if (this.lastMigration.applied.length > 0) {
        this.log('info', `migrated the team database schema ${this.schema} to v${this.lastMigration.to}`, {
          applied: this.lastMigration.applied,
        });
      }
      await this.checkServerIdentity(client);
    } catch (err) {
      client.end().catch(() => {});
      throw err;
    }
    this.client = client;
    return client;
  }

  // Checkpoints are positions in one database's change sequence. Behind the same URL there may now be
  // another database (restored from a backup, recreated, another team's): then they mean nothing, and
  // this workstation pulls everything again (applying is idempotent, so that is safe).
  private async checkServerIdentity(client: Client): Promise<void> {
    const { rows } = await client.query<{ value: string }>(
      `SELECT value FROM ${this.q}.sync_meta WHERE key = 'database_id'`,
    );
    const id = rows[0]?.value;
    if (!id) return;
    const known = this.store.syncState.get(SYNC_STATE_KEYS.serverId);
    if (known === id) return;
    this.store.transaction(() => {
      if (known !== null) {
        this.store.syncState.set(SYNC_STATE_KEYS.checkpoint, '0');
        this.store.syncState.set(SYNC_STATE_KEYS.conflictCheckpoint, '0');
        this.store.syncState.set(SYNC_STATE_KEYS.conflictsUploaded, '0');
      }
      this.store.syncState.set(SYNC_STATE_KEYS.serverId, id);
    });
    if (known !== null) {
      this.log(
        'warn',
        `the team database at ${this.target} is not the one this workstation synced with before; pulling everything again`,
      );
    }
  }

  private dropConnection(): void {
    const client = this.client;
    this.client = null;
    client?.end().catch(() => {});
  }

  /** Runs one operation at a time (background and manual rounds never overlap) with status bookkeeping. */
  private round<T>(action: string, fn: (client: Client) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      try {
        const client = await this.connection();
        const result = await fn(client);
        this.online = true;
        this.lastError = null;
        return result;
      } catch (err) {
        const error = toSyncError(err, this.pg, action);
        this.online = false;
        this.lastError = error.message;
        // After any failure the session may sit in an aborted transaction or be half-dead: start clean.
        this.dropConnection();
        this.log(isConnectionLoss(err) ? 'warn' : 'error', `${action} failed: ${error.message}`, {
          code: error.code,
          retryable: error.retryable,
        });
        throw error;
      } finally {
        this.emitStatus();
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  // --- push ---------------------------------------------------------------------------------------------

  /** Sends the outbox (the entries queued when it starts) in batches; acks each after its commit. */
  push(): Promise<PushResult> {
    return this.round('push', (client) => this.pushWith(client));
  }

  private async pushWith(client: Client): Promise<PushResult> {
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
    const budget = this.store.outbox.count();
    let sent = 0;
    while (sent < budget) {
      const entries: OutboxEntry[] = this.store.outbox.peek(Math.min(this.batchSize, budget - sent));
      if (entries.length === 0) break;
      const batchNo = result.batches + 1;
      const checkpoint = Number(this.store.syncState.get(SYNC_STATE_KEYS.checkpoint) ?? 0);
      const before = this.hooks.beforePushCommit;
      const batch = await pushBatch(client, entries, {
        schema: this.schema,
        q: this.q,
        nodeId: this.store.nodeId,
        checkpoint,
        ...(before ? { beforeCommit: () => before(batchNo) } : {}),
      });
      await this.hooks.afterPushCommit?.(batchNo);
      // Only now: had the reply been lost, the entries stay queued and the retry finds them applied.
      this.store.outbox.ack(entries.map((e) => e.opId));
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
      this.log('debug', `pushed batch ${batchNo}`, { entries: entries.length, conflicts: batch.conflicts });
    }
    if (result.batches > 0) this.store.syncState.set(SYNC_STATE_KEYS.lastPushAt, this.isoNow());
    return result;
  }

  // --- pull ---------------------------------------------------------------------------------------------

  /** Applies the server's rows above the local checkpoint, page by page (one local transaction each). */
  pull(): Promise<PullResult> {
    return this.round('pull', (client) => this.pullWith(client));
  }

  private async pullWith(client: Client): Promise<PullResult> {
    const result: PullResult = {
      pulled: 0,
      received: 0,
      unchanged: 0,
      stale: 0,
      rejected: 0,
      conflicts: 0,
      pages: 0,
      checkpoint: Number(this.store.syncState.get(SYNC_STATE_KEYS.checkpoint) ?? 0),
      tables: {},
    };
    const nodeId = this.store.nodeId;
    for (;;) {
      const after = Number(this.store.syncState.get(SYNC_STATE_KEYS.checkpoint) ?? 0);
      const page = await fetchPage(client, this.q, { after, limit: this.pullPageSize, nodeId });
      if (page.rows.length === 0 && page.next <= after) break;
      const pageNo = result.pages + 1;
      // Counted only once the page committed.
      const pageCounts = { pulled: 0, unchanged: 0, stale: 0, rejected: 0, conflicts: 0 };
      const pageTables: Partial<Record<SyncedTable, TableCounts>> = {};
      this.store.remoteTransaction(() => {
        let pending: Map<string, OutboxEntry> | null = null;
        const pendingFor = (table: string, rowId: string): OutboxEntry | undefined => {
          if (!pending) {
            const count = this.store.outbox.count();
            pending = new Map(this.store.outbox.peek(count).map((e) => [`${e.table}\u0000${e.rowId}`, e]));
          }
          return pending.get(`${table}\u0000${rowId}`);
        };
        for (const r of page.rows) {
          const rowId = String(r.row.id ?? '');
          try {
            const applied = this.store.applyRemote(r.table, r.row, r.hlc);
            if (applied.outcome === 'inserted' || applied.outcome === 'updated') {
              pageCounts.pulled += 1;
              addCounts(pageTables, r.table, { pulled: 1 });
            } else if (applied.outcome === 'unchanged') {
              pageCounts.unchanged += 1;
            } else if (applied.outcome === 'stale') {
              pageCounts.stale += 1;
              // Our unpushed edit is newer and will win on push; the remote version it beats was made
              // by another node without seeing ours: keep it.
              const mine = pendingFor(r.table, rowId);
              const spec: TableSpec<unknown> = tableSpecs[r.table];
              const remote = pickColumns(spec, r.row);
              if (
                mine &&
                hlcNode(r.hlc) !== nodeId &&
                mine.hlc > r.hlc &&
                !sameContent(spec, mine.row, remote)
              ) {
                this.store.conflicts.record({
                  table: r.table,
                  rowId,
                  local: mine.row,
                  remote,
                  localHlc: mine.hlc,
                  remoteHlc: r.hlc,
                });
                pageCounts.conflicts += 1;
                addCounts(pageTables, r.table, { conflicts: 1 });
              }
            }
            if (applied.conflictId !== null) {
              pageCounts.conflicts += 1;
              addCounts(pageTables, r.table, { conflicts: 1 });
            }
          } catch (err) {
            if (!(err instanceof ShowcaseError) || !ROW_REJECT_CODES.has(err.code)) throw err;
            // applyRemote ran in a savepoint, so nothing of this row was written. The row stays on the
            // server and its text is kept here, where the operator can see why it did not apply.
            this.store.conflicts.record({
              table: r.table,
              rowId,
              local: null,
              remote: pickColumns(tableSpecs[r.table], r.row),
              localHlc: null,
              remoteHlc: r.hlc,
            });
            pageCounts.rejected += 1;
            pageCounts.conflicts += 1;
            addCounts(pageTables, r.table, { conflicts: 1 });
            this.log('warn', `pulled ${r.table} ${rowId} was not applied: ${err.message}`, {
              code: err.code,
            });
          }
        }
        // In the same local transaction as the rows: the checkpoint can never run ahead of them, and
        // it is durable exactly when they are.
        this.store.syncState.set(SYNC_STATE_KEYS.checkpoint, String(page.next));
      });
      result.pages = pageNo;
      result.received += page.rows.length;
      result.pulled += pageCounts.pulled;
      result.unchanged += pageCounts.unchanged;
      result.stale += pageCounts.stale;
      result.rejected += pageCounts.rejected;
      result.conflicts += pageCounts.conflicts;
      result.checkpoint = page.next;
      for (const [table, c] of Object.entries(pageTables) as [SyncedTable, TableCounts][]) {
        addCounts(result.tables, table, c);
      }
      await this.hooks.afterPullPage?.(pageNo);
      if (!page.full) break;
    }
    if (result.pages > 0) this.store.syncState.set(SYNC_STATE_KEYS.lastPullAt, this.isoNow());
    return result;
  }

  // --- conflicts ----------------------------------------------------------------------------------------

  /**
   * Uploads local conflicts the server has not seen (found while pulling) and records locally the
   * server's conflicts this node took part in (found while pushing, by this or another node).
   */
  private async exchangeConflicts(client: Client): Promise<Partial<Record<SyncedTable, number>>> {
    const added: Partial<Record<SyncedTable, number>> = {};
    const nodeId = this.store.nodeId;
    const uploadedUpTo = Number(this.store.syncState.get(SYNC_STATE_KEYS.conflictsUploaded) ?? 0);
    // Conflicts are rare: read the local list only when it has something new or a download needs it.
    let local: SyncConflict[] | null =
      this.newestConflictId() > uploadedUpTo ? this.store.conflicts.list() : null;
    const drafts: ServerConflictDraft[] = [];
    for (const c of local ?? []) {
      if (c.id <= uploadedUpTo || !c.localHlc || !c.remoteHlc || !isSyncedTable(c.table)) continue;
      if (!isRow(c.local) || !isRow(c.remote)) continue;
      const localLost = c.localHlc < c.remoteHlc;
      const [loser, loserHlc, winner, winnerHlc] = localLost
        ? [c.local, c.localHlc, c.remote, c.remoteHlc]
        : [c.remote, c.remoteHlc, c.local, c.localHlc];
      drafts.push({
        tbl: c.table,
        row_id: c.rowId,
        loser,
        loser_hlc: loserHlc,
        loser_node: hlcNode(loserHlc),
        winner,
        winner_hlc: winnerHlc,
        winner_node: hlcNode(winnerHlc),
        reason: 'pull',
        reported_by: nodeId,
        op_id: null,
      });
    }
    if (drafts.length > 0) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
          lockKey(this.schema, 'write'),
        ]);
        await insertServerConflicts(client, this.q, drafts);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    }

    let known: Set<string> | null = null;
    for (;;) {
      const after = Number(this.store.syncState.get(SYNC_STATE_KEYS.conflictCheckpoint) ?? 0);
      const page = await fetchConflicts(client, this.q, { after, limit: 500, nodeId });
      if (page.rows.length === 0 && page.next <= after) break;
      if (page.rows.length > 0 && !known) {
        local ??= this.store.conflicts.list();
        known = new Set(local.map(localConflictKey));
      }
      const seen = known ?? new Set<string>();
      this.store.transaction(() => {
        for (const c of page.rows) {
          const key = conflictKey(c.tbl, c.row_id, c.loser_hlc);
          if (seen.has(key) || !isSyncedTable(c.tbl)) continue;
          seen.add(key);
          const mineLost = c.loser_node === nodeId;
          this.store.conflicts.record({
            table: c.tbl,
            rowId: c.row_id,
            local: mineLost ? c.loser : c.winner,
            remote: mineLost ? c.winner : c.loser,
            localHlc: mineLost ? c.loser_hlc : c.winner_hlc,
            remoteHlc: mineLost ? c.winner_hlc : c.loser_hlc,
          });
          added[c.tbl] = (added[c.tbl] ?? 0) + 1;
        }
        this.store.syncState.set(SYNC_STATE_KEYS.conflictCheckpoint, String(page.next));
      });
      if (!page.full) break;
    }
    // Everything local is now on the server (uploaded above, or downloaded from it).
    const highest = this.newestConflictId();
    if (highest > uploadedUpTo) this.store.syncState.set(SYNC_STATE_KEYS.conflictsUploaded, String(highest));
    return added;
  }

  /** The id of the newest local conflict (ids only grow), 0 when there is none. */
  private newestConflictId(): number {
    const total = this.store.conflicts.count();
    if (total === 0) return 0;
    return this.store.conflicts.list({ offset: total - 1, limit: 1 })[0]?.id ?? 0;
  }

  // --- a round ------------------------------------------------------------------------------------------

  /** Push, then pull, then exchange conflicts: `{ pushed, pulled, conflicts }` plus per-table detail. */
  syncOnce(): Promise<SyncResult> {
    return this.round('sync', async (client) => {
      const started = this.now();
      const push = await this.pushWith(client);
      const pull = await this.pullWith(client);
      const exchanged = await this.exchangeConflicts(client);
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
      this.store.syncState.set(SYNC_STATE_KEYS.lastSyncAt, this.isoNow());
      const result: SyncResult = {
        pushed: push.pushed,
        pulled: pull.pulled,
        conflicts,
        tables,
        push,
        pull,
        durationMs: this.now() - started,
      };
      this.log(
        'info',
        `synced: ${result.pushed} pushed, ${result.pulled} pulled, ${result.conflicts} conflicts`,
      );
      return result;
    });
  }

  // --- background mode ----------------------------------------------------------------------------------

  /** Syncs now and then every `intervalMs`; while offline retries with exponential backoff. Never throws. */
  start(options: BackgroundOptions = {}): void {
    this.bg = {
      intervalMs: options.intervalMs ?? this.bg.intervalMs,
      debounceMs: options.debounceMs ?? this.bg.debounceMs,
      initialBackoffMs: options.initialBackoffMs ?? this.bg.initialBackoffMs,
      maxBackoffMs: options.maxBackoffMs ?? this.bg.maxBackoffMs,
    };
    if (this.running || this.closed) return;
    this.running = true;
    this.failures = 0;
    this.schedule(0);
  }

  /** Tells the engine a local write happened: a round follows after the debounce (not while offline). */
  notifyChange(): void {
    try {
      this.emitStatus();
      if (!this.running) return;
      // Offline: the backoff timer decides when to try again; edits must not hammer a dead server.
      if (this.failures > 0) return;
      if (this.ticking) {
        this.changedDuringTick = true;
        return;
      }
      const due = this.now() + this.bg.debounceMs;
      if (this.timer && this.dueAt <= due) return;
      this.schedule(this.bg.debounceMs);
    } catch {
      // a status read failing must not reach the caller's write path
    }
  }

  /** Stops background mode and waits for a round in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.queue;
  }

  /** Stops and disconnects; the engine cannot be used afterwards. */
  async close(): Promise<void> {
    await this.stop();
    this.closed = true;
    const client = this.client;
    this.client = null;
    if (client) {
      // end() waits for the server's goodbye, which a dead network never sends.
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 2000);
      });
      await Promise.race([client.end().catch(() => {}), gaveUp]);
      clearTimeout(timer);
    }
  }

  /** Background-mode state, for diagnostics. */
  get background(): { running: boolean; failures: number; nextRoundInMs: number | null } {
    return {
      running: this.running,
      failures: this.failures,
      nextRoundInMs: this.timer ? Math.max(0, this.dueAt - this.now()) : null,
    };
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = this.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, delayMs);
    // Background sync must not keep a CLI process alive on its own.
    this.timer.unref();
  }

  private backoffMs(): number {
    const base = Math.min(
      this.bg.maxBackoffMs,
      this.bg.initialBackoffMs * 2 ** Math.max(0, this.failures - 1),
    );
    // ±10 % jitter so a team's workstations do not all retry in the same second after an outage.
    return Math.round(Math.min(this.bg.maxBackoffMs, base * (0.9 + Math.random() * 0.2)));
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    this.ticking = true;
    this.changedDuringTick = false;
    let delay: number;
    try {
      await this.syncOnce();
      this.failures = 0;
      delay = this.changedDuringTick ? this.bg.debounceMs : this.bg.intervalMs;
    } catch {
      // Already in the status and the log.
      this.failures += 1;
      delay = this.backoffMs();
    } finally {
      this.ticking = false;
    }
    if (this.running && !this.timer) this.schedule(delay);
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }
}
