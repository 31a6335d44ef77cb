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
import type { Client } from 'pg';
import { ShowcaseError, type SyncStatus } from '../../../shared/index.ts';
import type { Store } from '../store/index.ts';
import { SyncLoop } from './background.ts';
import {
  describeTarget,
  endClient,
  isConnectionLoss,
  logScrubbed,
  newClient,
  type PgTarget,
  toSyncError,
} from './connection.ts';
import { exchangeConflicts } from './exchange.ts';
import { SyncLease } from './lease.ts';
import { SKEW_REFUSED } from './push.ts';
import { pullChanges, pushOutbox, type RoundContext, roundTotals } from './round.ts';
import { DEFAULT_SCHEMA, type MigrateResult, migrate, quoteSchema } from './schema.ts';
import { checkServerIdentity, measureClock, type ServerCheckContext } from './server-checks.ts';
import { readStatus, StatusListeners } from './status.ts';
import {
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
} from './types.ts';

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
  private readonly listeners = new StatusListeners((message, fields) => this.log('warn', message, fields));
  private readonly correctClock: boolean;
  private readonly lease: SyncLease;
  private readonly loop: SyncLoop;
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
  private lastMigration: MigrateResult | null = null;

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
    this.lease = new SyncLease(store, positiveInt(options.leaseMs, DEFAULTS.leaseMs, 'leaseMs'));
    if (options.onStatus) this.listeners.add(options.onStatus);
    this.loop = new SyncLoop({
      syncOnce: () => this.syncOnce(),
      // Every committed local write that queued a change (approve, seed lock, publish, preset, copy …)
      // nudges a round, whoever made it.
      watchWrites: () => this.store.onLocalWrite(() => this.notifyChange()),
      now: this.now,
    });
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
    return readStatus(this.store, {
      configured: this.configured,
      online: this.online,
      error: this.lastError,
    });
  }

  /** Adds a status listener (called on every change); returns the function that removes it. */
  subscribe(listener: (status: SyncStatus) => void): () => void {
    return this.listeners.add(listener);
  }

  /** The migration the last connect ran (null before the first connect). */
  get migration(): MigrateResult | null {
    return this.lastMigration;
  }

  private emitStatus(): void {
    this.listeners.emit(this.status());
  }

  private log(level: SyncLogLevel, message: string, fields?: Record<string, unknown>): void {
    logScrubbed(this.logger, this.pg, level, message, fields);
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
      await checkServerIdentity(client, this.checkContext());
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

  private checkContext(): ServerCheckContext {
    return {
      store: this.store,
      q: this.q,
      target: this.target,
      log: (level, message, fields) => this.log(level, message, fields),
    };
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
        this.lease.take();
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
        if (leased) this.lease.release();
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

  private pushWith(client: Client): Promise<PushResult> {
    return pushOutbox(client, this.roundContext());
  }

  // --- pull ---------------------------------------------------------------------------------------------

  /** Applies the server's rows above the local checkpoint, page by page (one local transaction each). */
  pull(): Promise<PullResult> {
    return this.round('pull', (client) => this.pullWith(client));
  }

  private pullWith(client: Client): Promise<PullResult> {
    return pullChanges(client, this.roundContext());
  }

  private roundContext(): RoundContext {
    return {
      store: this.store,
      schema: this.schema,
      q: this.q,
      batchSize: this.batchSize,
      pullPageSize: this.pullPageSize,
      hooks: this.hooks,
      offsetMs: this.lastOffsetMs,
      now: this.now,
      renewLease: () => this.lease.renew(),
      log: (level, message, fields) => this.log(level, message, fields),
      onConflictWatermark: (conflictId) => {
        this.pullWatermark = conflictId;
      },
    };
  }

  // --- a round ------------------------------------------------------------------------------------------

  /** Push, then pull, then exchange conflicts: `{ pushed, pulled, conflicts }` plus per-table detail. */
  syncOnce(): Promise<SyncResult> {
    return this.round('sync', async (client) => {
      const started = this.now();
      const clock = await measureClock(client, {
        ...this.checkContext(),
        correctClock: this.correctClock,
        maxDriftMs: this.maxDriftMs,
        onOffset: (offsetMs) => {
          this.lastOffsetMs = offsetMs;
        },
      });
      const restamped = clock.restamped;
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
      const { tables, conflicts } = roundTotals(push, pull, exchanged);
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
    if (this.closed) {
      this.loop.configure(options);
      return;
    }
    this.loop.start(options);
  }

  /** Tells the engine a local write happened: a round follows after the debounce (not while offline). */
  notifyChange(): void {
    try {
      this.emitStatus();
      this.loop.notifyChange();
    } catch {
      // a status read failing must not reach the caller's write path
    }
  }

  /** Stops background mode and waits for a round in progress. */
  async stop(): Promise<void> {
    this.loop.stop();
    await this.queue;
  }

  /** Background-mode state, for diagnostics. */
  get background(): { running: boolean; failures: number; nextRoundInMs: number | null } {
    return this.loop.state();
  }

  /** Stops and disconnects; the engine cannot be used afterwards. */
  async close(): Promise<void> {
    await this.stop();
    this.closed = true;
    const client = this.client;
    this.client = null;
    if (client) await endClient(client);
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }
}
