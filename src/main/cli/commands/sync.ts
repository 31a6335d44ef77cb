// `showcase sync --pg URL [--db FILE] [--json]`: one round (push, pull, conflicts) and what moved.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ShowcaseError, toShowcaseError } from '../../../shared/index.ts';
import { openStore, type Store } from '../../engine/store/index.ts';
import { SyncEngine, type SyncResult } from '../../engine/sync/index.ts';
import { table } from '../progress.ts';

export interface SyncCommandOptions {
  pg?: string;
  db: string;
  json?: boolean;
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
  const open = store.conflicts.count({ resolved: false });
  if (open > 0) console.log(`${open} unresolved conflict(s) kept in sync_conflicts — nothing was dropped`);
  const pending = store.outbox.count();
  if (pending > 0) console.log(`${pending} local change(s) still queued (edited during the sync)`);
}

export async function syncCommand(opts: SyncCommandOptions): Promise<void> {
  const path = resolve(opts.db);
  mkdirSync(dirname(path), { recursive: true });
  const store = openStore(path);
  let engine: SyncEngine | null = null;
  try {
    engine = new SyncEngine(store, { url: urlFor(opts, store) ?? null });
    const result = await engine.syncOnce();
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
