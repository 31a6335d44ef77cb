// The sync engine's options, results and state keys (kept apart from the engine so it stays readable).
import type { SyncStatus } from '../../../shared/index.ts';
import { ShowcaseError } from '../../../shared/index.ts';
import type { SyncedTable } from '../store/index.ts';
import type { PushTableCounts } from './push.ts';

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
  /**
   * Correct this station's HLC reads by its offset to the server's clock, measured each round
   * (default true). Off, a wrong clock stamps wrong times and the server refuses them beyond its bound.
   */
  correctClock?: boolean;
  /** How long one round may hold the store's sync lease before another process may take it (default 2 min). */
  leaseMs?: number;
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
  /** Rows this store could not apply (invalid, clock too far ahead): parked in sync_retry with the reason. */
  rejected: number;
  /** Parked rows that applied this time. */
  recovered: number;
  /** Rows still parked after this pull. */
  parked: number;
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
  /** The team database's clock minus this machine's, measured this round (ms). */
  clockOffsetMs: number;
  /** Pending edits moved off timestamps in the future this round (the clock had run ahead). */
  restamped: number;
}

export const SYNC_STATE_KEYS = {
  checkpoint: 'checkpoint',
  lastPushAt: 'last_push_at',
  lastPullAt: 'last_pull_at',
  lastSyncAt: 'last_sync_at',
  conflictCheckpoint: 'conflict_checkpoint',
  conflictsUploaded: 'conflicts_uploaded',
  serverId: 'server_id',
  clockOffset: 'clock_offset_ms',
} as const;

export const DEFAULTS = {
  batchSize: 500,
  pullPageSize: 1000,
  connectTimeoutMs: 10_000,
  statementTimeoutMs: 60_000,
  intervalMs: 60_000,
  debounceMs: 1000,
  initialBackoffMs: 1000,
  maxBackoffMs: 5 * 60_000,
  leaseMs: 2 * 60_000,
  maxDriftMs: 5 * 60_000,
};

/** Code of a round that did not run because another process holds the store's sync lease. */
export const LEASE_BUSY = 'SY002';

export function positiveInt(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new ShowcaseError('invalid_input', `${field}: must be a positive whole number`, {
      details: { fields: [field] },
    });
  }
  return value;
}

export function addCounts(
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
