// Sync with Postgres (pending ops, conflicts) and the health of the live event stream.
import { create } from 'zustand';
import type { SyncStatus } from '../../shared/index.ts';
import { type BridgeEvent, bridge, type ConnectionState } from '../bridge/index.ts';
import { notify, reportError } from './toasts.ts';

interface SyncState {
  status: SyncStatus | null;
  connection: ConnectionState;
  syncing: boolean;
  load(): Promise<void>;
  syncNow(): Promise<void>;
  applyEvents(events: BridgeEvent[]): void;
}

export const useSync = create<SyncState>()((set, get) => ({
  status: null,
  connection: 'connecting',
  syncing: false,
  async load() {
    try {
      set({ status: await bridge().call('sync.status', {}) });
    } catch {
      // The indicator shows "unknown"; the next sync.status event fills it in.
    }
  },
  async syncNow() {
    if (get().syncing) return;
    set({ syncing: true });
    try {
      const r = await bridge().call('sync.now', {});
      notify(
        r.conflicts > 0 ? 'info' : 'success',
        `Synced: ${r.pushed} pushed, ${r.pulled} pulled`,
        r.conflicts > 0 ? `${r.conflicts} conflict(s) kept for review.` : undefined,
      );
      await get().load();
    } catch (err) {
      reportError('Syncing', err);
    } finally {
      set({ syncing: false });
    }
  },
  applyEvents(events) {
    let latest: SyncStatus | null = null;
    for (const e of events) if (e.event === 'sync.status') latest = e.payload;
    if (latest) set({ status: latest });
  },
}));
