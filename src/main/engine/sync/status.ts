// The sync status as `sync.status` reports it, and its listeners: read from the store on demand (a
// closed or failing store reads as nothing pending), sent to listeners only when it changed.
import type { SyncStatus } from '../../../shared/index.ts';
import type { Store } from '../store/index.ts';
import { SYNC_STATE_KEYS } from './types.ts';

/** The current status (never throws; a closed store reads as zero pending ops). */
export function readStatus(
  store: Store,
  state: { configured: boolean; online: boolean; error: string | null },
): SyncStatus {
  const safe = <T>(fn: () => T, fallback: T): T => {
    try {
      return store.isOpen ? fn() : fallback;
    } catch {
      return fallback;
    }
  };
  return {
    configured: state.configured,
    online: state.online,
    pendingOps: safe(() => store.outbox.count(), 0),
    lastSyncAt: safe(() => store.syncState.get(SYNC_STATE_KEYS.lastSyncAt), null),
    conflicts: safe(() => store.conflicts.count({ resolved: false }), 0),
    error: state.error,
  };
}

export class StatusListeners {
  readonly #listeners = new Set<(status: SyncStatus) => void>();
  readonly #warn: (message: string, fields: Record<string, unknown>) => void;
  #lastEmitted = '';

  constructor(warn: (message: string, fields: Record<string, unknown>) => void) {
    this.#warn = warn;
  }

  /** Adds a listener; returns the function that removes it. */
  add(listener: (status: SyncStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Sends `status` to every listener unless it equals the last one sent; a throwing listener is logged. */
  emit(status: SyncStatus): void {
    const text = JSON.stringify(status);
    if (text === this.#lastEmitted) return;
    this.#lastEmitted = text;
    for (const listener of this.#listeners) {
      try {
        listener(status);
      } catch (err) {
        this.#warn('a sync status listener threw', {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }
}
