// SyncEngine: the local store ⇄ the team Postgres. Push sends the outbox in batches (one server
// transaction each, idempotent by op id, merged field group by field group by HLC); pull applies the
// server's changes between the local checkpoint and a watermark no running push can fall below;
// conflicts — two edits of the same field group — are found on the server where both meet, kept there
// and in the local store of both workstations, and resolved everywhere once resolved anywhere.
//
// Each round measures the server's clock: the station's HLC reads are corrected by the offset, and a
// clock state left far in the future (the machine's clock ran ahead) is repaired. One process per
// store syncs at a time (a lease in the store), so the CLI beside the app never doubles a conflict.
//
// Nothing here can break local drafting: the store is written only through `applyRemote` /
// `remoteTransaction` (never the outbox), background failures only change the status, and every
// message names the database as postgres://user:***@host/db.
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { ShowcaseError, type SyncStatus } from '../../../shared/index.ts';
import type { OutboxEntry, Store, SyncedTable } from '../store/index.ts';
import { applyPage, retryParked } from './apply.ts';
import {
  describeTarget,
  isConnectionLoss,
  newClient,
  type PgTarget,
  scrub,
  toSyncError,
} from './connection.ts';
import { EXCHANGE_KEYS, exchangeConflicts } from './exchange.ts';
import { fetchPage, fetchWatermark } from './pull.ts';
import { type PushTableCounts, pushBatch, SKEW_REFUSED } from './push.ts';
import { DEFAULT_SCHEMA, type MigrateResult, migrate, quoteSchema } from './schema.ts';
import {
  addCounts,
  type BackgroundOptions,
  DEFAULTS,
  LEASE_BUSY,
  type PullResult,
  type PushResult,
  positiveInt,
  SYNC_STATE_KEYS,
  type SyncEngineOptions,
  type SyncHooks,
  type SyncLogger,
  type SyncLogLevel,
  type SyncResult,
  type TableCounts,
} from './types.ts';

export type {
  BackgroundOptions,
  PullResult,
  PushResult,
  SyncEngineOptions,
  SyncHooks,
  SyncLogger,
  SyncLogLevel,
  SyncResult,
  TableCounts,
} from './types.ts';
export { LEASE_BUSY, SYNC_STATE_KEYS } from './types.ts';

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
  private readonly correctClock: boolean;
  private readonly leaseMs: number;
  /** Identifies this engine as the holder of the store's sync lease. */
  private readonly leaseOwner = randomUUID();
  private unsubscribeWrites: (() => void) | null = null;
  /** The server's drift bound (ms), read on connect. */
  private maxDriftMs = DEFAULTS.maxDriftMs;
  private lastOffsetMs = 0;
  /** Highest server conflict id known committed, read with the last pull's watermark. */
  private pullWatermark = 0;

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
    this.correctClock = options.correctClock ?? true;
    this.leaseMs = positiveInt(options.leaseMs, DEFAULTS.leaseMs, 'leaseMs');
    if (options.onStatus) this.listeners.add(options.onStatus);
    // The offset measured last time holds until the next round measures it again (drafting offline).
    const saved = Number(store.isOpen ? (store.syncState.get(SYNC_STATE_KEYS.clockOffset) ?? 0) : 0);
    if (this.correctClock && Number.isFinite(saved)) store.clock.setOffset(saved);
  }

  /** The last measured offset of the team database's clock to this machine's (ms). */
  get clockOffsetMs(): number {
    return this.lastOffsetMs;
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
      const drift = await client.query<{ value: string }>(
        `SELECT value FROM ${this.q}.sync_meta WHERE key = 'max_drift_ms'`,
      );
      const bound = Number(drift.rows[0]?.value ?? DEFAULTS.maxDriftMs);
      if (Number.isFinite(bound) && bound > 0) this.maxDriftMs = bound;
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
        this.store.syncState.set(EXCHANGE_KEYS.conflictCheckpoint, '0');
        this.store.syncState.set(EXCHANGE_KEYS.conflictsUploaded, '0');
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
      let leased = false;
      try {
        this.takeLease();
        leased = true;
        const client = await this.connection();
        const result = await fn(client);
        this.online = true;
        this.lastError = null;
        return result;
      } catch (err) {
        if (err instanceof ShowcaseError && err.details?.code === LEASE_BUSY) throw err;
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
        if (leased) this.releaseLease();
        this.emitStatus();
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  /** Takes the store's sync lease for this round, or throws SY002 naming the process that holds it. */
  private takeLease(): void {
    if (!this.store.isOpen) throw new ShowcaseError('sync_error', 'The local store is closed');
    const holder = this.store.syncLocal.acquireLease(this.leaseOwner, this.leaseMs);
    if (!holder) return;
    throw new ShowcaseError(
      'sync_error',
      `${LEASE_BUSY}: another sync process (pid ${holder.pid}) is syncing this store right now`,
      {
        hint: 'Its round ends in a moment; try again (bin/showcase sync --wait waits for it).',
        details: { code: LEASE_BUSY, pid: holder.pid, expiresMs: holder.expiresMs },
        retryable: true,
      },
    );
  }

  private renewLease(): void {
    this.store.syncLocal.acquireLease(this.leaseOwner, this.leaseMs);
  }

  private releaseLease(): void {
    try {
      this.store.syncLocal.releaseLease(this.leaseOwner);
    } catch {
      // the lease expires by itself
    }
  }

  // --- clock ----------------------------------------------------------------------------------------------

  /**
   * Measures the server's clock against this machine's (half the round trip either side), corrects the
   * HLC by it, and repairs a clock state left in the future. Returns the pending edits restamped.
   */
  private async syncClock(client: Client): Promise<number> {
    const clock = this.store.clock;
    const t0 = clock.rawWallMs();
    const { rows } = await client.query<{ ms: string }>(
      'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS ms',
    );
    const t1 = clock.rawWallMs();
    const offset = Math.round(Number(rows[0]?.ms ?? t1) - (t0 + t1) / 2);
    this.lastOffsetMs = offset;
    if (this.correctClock) {
      clock.setOffset(offset);
      this.store.syncState.set(SYNC_STATE_KEYS.clockOffset, String(offset));
    }
    if (Math.abs(offset) > this.maxDriftMs) {
      this.log(
        'warn',
        `this workstation's clock is ${Math.round(-offset / 1000)} s off the team database's${this.correctClock ? "; edits are stamped in the server's time" : ''} — fix the system clock`,
        { offsetMs: offset },
      );
    }
    // Against the corrected clock (or the machine's own, once fixed): a state far ahead is repaired.
    const repair = this.store.syncLocal.repairClock(this.maxDriftMs);
    if (repair.restamped > 0 || repair.aheadMs > this.maxDriftMs) {
      this.log(
        'warn',
        `the clock state ran ${Math.round(repair.aheadMs / 1000)} s ahead; repaired, ${repair.restamped} pending edit(s) restamped`,
        { ...repair },
      );
    }
    return repair.restamped;
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
        offsetMs: this.lastOffsetMs,
        ...(before ? { beforeCommit: () => before(batchNo) } : {}),
      });
      this.renewLease();
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
      recovered: 0,
      parked: 0,
      conflicts: 0,
      pages: 0,
      checkpoint: Number(this.store.syncState.get(SYNC_STATE_KEYS.checkpoint) ?? 0),
      tables: {},
    };
    const warn = (message: string, fields?: Record<string, unknown>) => this.log('warn', message, fields);
    const nodeId = this.store.nodeId;
    // Rows parked in an earlier round first: a newer clock or a fixed app may let them in now.
    const retried = retryParked(this.store, warn);
    result.recovered = retried.recovered;
    result.pulled += retried.pulled;
    for (const [table, n] of Object.entries(retried.tables) as [SyncedTable, number][]) {
      addCounts(result.tables, table, { pulled: n });
    }
    const watermark = await fetchWatermark(client, this.q, this.schema);
    this.pullWatermark = watermark.conflictId;
    for (;;) {
      const after = Number(this.store.syncState.get(SYNC_STATE_KEYS.checkpoint) ?? 0);
      const page = await fetchPage(client, this.q, {
        after,
        limit: this.pullPageSize,
        nodeId,
        watermark: watermark.seq,
      });
      if (page.rows.length === 0 && page.next <= after) break;
      const pageNo = result.pages + 1;
      // In the same local transaction as the rows: the checkpoint can never run ahead of them.
      const counts = applyPage(
        this.store,
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
      this.renewLease();
      await this.hooks.afterPullPage?.(pageNo);
      if (!page.full) break;
    }
    result.parked = this.store.syncLocal.parkedCount();
    if (result.pages > 0) this.store.syncState.set(SYNC_STATE_KEYS.lastPullAt, this.isoNow());
    return result;
  }

  // --- a round ------------------------------------------------------------------------------------------

  /** Push, then pull, then exchange conflicts: `{ pushed, pulled, conflicts }` plus per-table detail. */
  syncOnce(): Promise<SyncResult> {
    return this.round('sync', async (client) => {
      const started = this.now();
      const restamped = await this.syncClock(client);
      // A push refused for clock skew keeps the drafts queued; pull and the exchange still run, and
      // the round then fails with the refusal so the operator sees it.
      let refused: ShowcaseError | null = null;
      let push: PushResult;
      try {
        push = await this.pushWith(client);
      } catch (err) {
        if (!(err instanceof ShowcaseError) || err.details?.code !== SKEW_REFUSED) throw err;
        refused = err;
        push = { pushed: 0, duplicates: 0, lost: 0, serverConflicts: 0, batches: 0, tables: {} };
      }
      const pull = await this.pullWith(client);
      const exchanged = await exchangeConflicts({
        client,
        store: this.store,
        schema: this.schema,
        q: this.q,
        watermark: this.pullWatermark,
      });
      if (refused) throw refused;
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
        clockOffsetMs: this.lastOffsetMs,
        restamped,
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
    // Every committed local write that queued a change (approve, seed lock, publish, preset, copy …)
    // nudges a round, whoever made it.
    this.unsubscribeWrites ??= this.store.onLocalWrite(() => this.notifyChange());
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
    this.unsubscribeWrites?.();
    this.unsubscribeWrites = null;
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
    } catch (err) {
      if (err instanceof ShowcaseError && err.details?.code === LEASE_BUSY) {
        // Another process on this store is syncing it: not a failure, just come back after it.
        delay = this.bg.debounceMs;
      } else {
        // Already in the status and the log.
        this.failures += 1;
        delay = this.backoffMs();
      }
    } finally {
      this.ticking = false;
    }
    if (this.running && !this.timer) this.schedule(delay);
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }
}
