// `showcase sync --pg URL [--db FILE] [--json] [--wait [s]]`: one round (push, pull, conflicts), what
// moved, the clock offset to the team database, open conflicts with their field and reason, and pulled
// rows parked for a retry with the reason.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ShowcaseError, toShowcaseError } from '../../../shared/index.ts';
import { openStore, type Store } from '../../engine/store/index.ts';
import { LEASE_BUSY, SyncEngine, type SyncResult } from '../../engine/sync/index.ts';
import { table } from '../progress.ts';
import { terminalInline as safeText } from '../terminal.ts';

export interface SyncCommandOptions {
  pg?: string;
  db: string;
  json?: boolean;
  /** true (from a bare `--wait`) or seconds. */
  wait?: boolean | string;
}

const REASONS: Record<string, string> = {
  concurrent_edit: 'edited on two workstations at once',
  clock_skew: 'refused: clock too far ahead',
  schema: 'does not fit this version',
  other: 'could not be applied here',
};

function waitSeconds(wait: SyncCommandOptions['wait']): number {
  if (wait === undefined || wait === false) return 0;
  if (wait === true) return 60;
  const n = Number(wait);
  if (!Number.isFinite(n) || n < 0) {
    throw new ShowcaseError('invalid_input', `--wait: "${wait}" is not a number of seconds`, {
      details: { fields: ['wait'] },
    });
  }
  return n;
}

function formatOffset(ms: number): string {
  const s = ms / 1000;
  return `${s >= 0 ? '+' : ''}${Math.abs(s) >= 100 ? Math.round(s) : s.toFixed(1)} s`;
}

/** One round; with `waitMs`, a round refused because another process syncs this store is retried. */
async function roundWithWait(engine: SyncEngine, waitMs: number): Promise<SyncResult> {
  const deadline = Date.now() + waitMs;
  let delay = 100;
  for (;;) {
    try {
      return await engine.syncOnce();
    } catch (err) {
      const busy = err instanceof ShowcaseError && err.details?.code === LEASE_BUSY;
      if (!busy || Date.now() + delay > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(1000, delay * 2);
    }
  }
}

function urlFor(opts: SyncCommandOptions, store: Store): string | undefined {
  if (opts.pg) return opts.pg;
  const fromSettings = store.settings.get().postgresUrl;
  if (fromSettings) return fromSettings;
  if (process.env.PGHOST || process.env.PGDATABASE) return undefined;
  throw new ShowcaseError('invalid_input', 'No team database given', {
    hint: 'Pass --pg postgres://user:password@host:5432/db, set PGHOST/PGDATABASE, or set the Postgres URL in Settings.',
    details: { fields: ['pg'] },
  });
}

function printHuman(result: SyncResult, target: string, store: Store): void {
  const rows = Object.entries(result.tables).map(([name, c]) => [
    name,
    String(c?.pushed ?? 0),
    String(c?.pulled ?? 0),
    String(c?.conflicts ?? 0),
  ]);
  console.log(`synced with ${target}`);
  if (rows.length > 0) console.log(table(['table', 'pushed', 'pulled', 'conflicts'], rows));
  const extra: string[] = [];
  if (result.push.duplicates > 0) extra.push(`${result.push.duplicates} already on the server`);
  if (result.push.lost > 0) extra.push(`${result.push.lost} lost to newer versions`);
  if (result.pull.rejected > 0) extra.push(`${result.pull.rejected} pulled rows could not be applied`);
  console.log(
    `${result.pushed} pushed, ${result.pulled} pulled, ${result.conflicts} new conflicts` +
      (extra.length > 0 ? ` (${extra.join('; ')})` : ''),
  );
  console.log(`clock offset: ${formatOffset(result.clockOffsetMs)} (team database minus this machine)`);
  if (result.restamped > 0) {
    console.log(
      `${result.restamped} pending edit(s) stamped while this clock ran ahead were moved to the present`,
    );
  }
  const open = store.conflicts.count({ resolved: false });
  if (open > 0) {
    console.log(`${open} unresolved conflict(s) kept in sync_conflicts — nothing was dropped`);
    for (const c of store.conflicts.list({ resolved: false, limit: 20 })) {
      console.log(
        `  conflict #${c.id} ${c.table} ${safeText(c.rowId)} field ${safeText(c.field ?? '(whole row)')}: ${REASONS[c.reason] ?? c.reason}`,
      );
    }
  }
  const parked = store.syncLocal.parked(20);
  if (parked.length > 0) {
    console.log(`${store.syncLocal.parkedCount()} pulled row(s) waiting to be applied (retried every sync):`);
    for (const p of parked) {
      console.log(
        `  ${p.table} ${safeText(p.rowId)}: ${REASONS[p.reason] ?? p.reason} — ${safeText(p.message)} (${p.attempts} attempt(s))`,
      );
    }
  }
  const pending = store.outbox.count();
  if (pending > 0) console.log(`${pending} local change(s) still queued (edited during the sync)`);
}

export async function syncCommand(opts: SyncCommandOptions): Promise<void> {
  const path = resolve(opts.db);
  mkdirSync(dirname(path), { recursive: true });
  const store = openStore(path);
  let engine: SyncEngine | null = null;
  try {
    const waitMs = waitSeconds(opts.wait) * 1000;
    engine = new SyncEngine(store, { url: urlFor(opts, store) ?? null });
    const result = await roundWithWait(engine, waitMs);
    if (opts.json) {
      console.log(
        JSON.stringify({
          ok: true,
          target: engine.target,
          pushed: result.pushed,
          pulled: result.pulled,
          conflicts: result.conflicts,
          tables: result.tables,
          push: result.push,
          pull: result.pull,
          clockOffsetMs: result.clockOffsetMs,
          restamped: result.restamped,
          conflictList: store.conflicts
            .list({ resolved: false, limit: 100 })
            .map((c) => ({ id: c.id, table: c.table, rowId: c.rowId, field: c.field, reason: c.reason })),
          parked: store.syncLocal.parked(100).map((p) => ({
            table: p.table,
            rowId: p.rowId,
            reason: p.reason,
            message: p.message,
            attempts: p.attempts,
          })),
          status: engine.status(),
        }),
      );
    } else {
      printHuman(result, engine.target, store);
    }
  } catch (err) {
    const error = toShowcaseError(err);
    if (opts.json) console.log(JSON.stringify({ ok: false, error: error.toJSON() }));
    process.exitCode = 1;
    // The CLI prints `error: …` and the hint on stderr.
    throw error;
  } finally {
    await engine?.close();
    store.close();
  }
}
