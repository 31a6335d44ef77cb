// SyncController: background sync to the team Postgres when one is configured (restarted when
// its URL changes), the sync status, and the conflicts an operator resolves. Sync failures never
// reach local drafting: they only change the sync status.
import { ShowcaseError, type SyncStatus, toShowcaseError } from '../../../shared/index.ts';
import { conflictRecord } from '../store/index.ts';
import { SyncEngine } from '../sync/index.ts';
import type { EngineContext } from './context.ts';

export class SyncController {
  private readonly ctx: EngineContext;
  private sync: SyncEngine | null = null;
  private syncUrl: string | null = null;
  private syncError: string | null = null;

  constructor(ctx: EngineContext) {
    this.ctx = ctx;
  }

  /** Starts (or restarts, when the URL changed) background sync to the configured Postgres. */
  configure(): void {
    const settings = this.ctx.settings();
    const url = settings.postgresUrl;
    if (url === this.syncUrl) return;
    const previous = this.sync;
    this.sync = null;
    this.syncUrl = url;
    if (previous) void previous.close().catch(() => undefined);
    if (!url) {
      this.ctx.emit('sync.status', this.status());
      return;
    }
    let sync: SyncEngine;
    try {
      sync = new SyncEngine(this.ctx.store, {
        url,
        onStatus: (status) => this.ctx.emit('sync.status', status),
        log: (level, message) => {
          if (level !== 'debug') this.ctx.log(`sync: ${message}`);
        },
      });
    } catch (err) {
      // A bad URL must not break local work (nor the settings save): it shows in the sync status.
      const error = toShowcaseError(err);
      this.ctx.log(`sync disabled: ${error.message}`);
      this.syncError = error.message;
      this.ctx.emit('sync.status', this.status());
      return;
    }
    this.syncError = null;
    sync.start({ intervalMs: settings.syncIntervalSec * 1000 });
    this.sync = sync;
  }

  status(): SyncStatus {
    const { store } = this.ctx;
    return (
      this.sync?.status() ?? {
        configured: this.syncUrl !== null,
        online: false,
        pendingOps: store.outbox.count(),
        lastSyncAt: null,
        conflicts: store.conflicts.count({ resolved: false }),
        error: this.syncError,
      }
    );
  }

  /** Local writes that others should see soon (a debounced sync round when sync is on). */
  changed(): void {
    this.sync?.notifyChange();
  }

  async now() {
    const sync = this.sync;
    if (!sync) {
      throw new ShowcaseError('invalid_input', 'No team database is configured', {
        hint: 'Set the PostgreSQL URL in Settings (postgres://user@host:5432/db)',
        details: { fields: ['postgresUrl'] },
      });
    }
    const r = await sync.syncOnce();
    return { pushed: r.pushed, pulled: r.pulled, conflicts: r.conflicts };
  }

  conflicts(input: { limit: number; resolved?: boolean | undefined }) {
    return this.ctx.store.conflicts
      .list({ limit: input.limit, ...(input.resolved === undefined ? {} : { resolved: input.resolved }) })
      .map(conflictRecord);
  }

  resolveConflict(conflictId: number, keep: 'local' | 'remote') {
    const resolved = this.ctx.store.conflicts.resolveWith(conflictId, keep);
    if (resolved.table === 'product_galleries') {
      const gallery = this.ctx.store.galleries.get(resolved.rowId);
      if (gallery) this.ctx.emit('showcase.updated', { galleryId: gallery.id, gallery });
    }
    // The kept version is a new local write: push it soon, and let the indicator drop the count.
    this.changed();
    this.ctx.emit('sync.status', this.status());
    return conflictRecord(resolved);
  }

  async close(): Promise<void> {
    await this.sync?.close().catch(() => undefined);
  }
}
