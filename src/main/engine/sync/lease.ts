// The store's sync lease: one process per store syncs at a time (the CLI beside the app never doubles a
// conflict). Taken for each round, renewed by every committed batch or page, released at the end.
import { randomUUID } from 'node:crypto';
import { ShowcaseError } from '../../../shared/index.ts';
import type { Store } from '../store/index.ts';
import { LEASE_BUSY } from './types.ts';

export class SyncLease {
  /** Identifies this engine as the holder of the store's sync lease. */
  readonly #owner = randomUUID();
  readonly #store: Store;
  readonly #leaseMs: number;

  constructor(store: Store, leaseMs: number) {
    this.#store = store;
    this.#leaseMs = leaseMs;
  }

  /** Takes the store's sync lease for this round, or throws SY002 naming the process that holds it. */
  take(): void {
    if (!this.#store.isOpen) throw new ShowcaseError('sync_error', 'The local store is closed');
    const holder = this.#store.syncLocal.acquireLease(this.#owner, this.#leaseMs);
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

  renew(): void {
    this.#store.syncLocal.acquireLease(this.#owner, this.#leaseMs);
  }

  release(): void {
    try {
      this.#store.syncLocal.releaseLease(this.#owner);
    } catch {
      // the lease expires by itself
    }
  }
}
