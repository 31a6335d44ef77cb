// Sync conflicts waiting for the operator (or all of them, to look back), and keeping one version.
import { create } from 'zustand';
import type { ConflictRecord, ConflictSide } from '../../shared/index.ts';
import { bridge } from '../bridge/index.ts';
import { type ErrorInfo, errorInfo } from './errors.ts';
import { useSync } from './sync.ts';
import { notify, reportError } from './toasts.ts';

export type ConflictFilter = 'open' | 'all';

interface ConflictsState {
  items: ConflictRecord[];
  filter: ConflictFilter;
  loaded: boolean;
  loading: boolean;
  error: ErrorInfo | null;
  /** The conflict whose resolution is in flight, and the side being kept. */
  busy: { id: number; keep: ConflictSide } | null;
  load(): Promise<void>;
  setFilter(filter: ConflictFilter): void;
  keep(id: number, keep: ConflictSide): Promise<void>;
}

export const useConflicts = create<ConflictsState>()((set, get) => ({
  items: [],
  filter: 'open',
  loaded: false,
  loading: false,
  error: null,
  busy: null,
  async load() {
    const filter = get().filter;
    set({ loading: true });
    try {
      const items = await bridge().call('sync.conflicts', filter === 'open' ? { resolved: false } : {});
      // A filter switch while loading: the newer request's answer is the one to keep.
      if (get().filter === filter) set({ items, loaded: true, error: null });
    } catch (err) {
      set({ error: errorInfo(err) });
    } finally {
      set({ loading: false });
    }
  },
  setFilter(filter) {
    if (filter === get().filter) return;
    set({ filter, items: [], loaded: false });
    void get().load();
  },
  async keep(id, keep) {
    if (get().busy) return;
    set({ busy: { id, keep } });
    try {
      const updated = await bridge().call('sync.resolveConflict', { conflictId: id, keep });
      set({
        items:
          get().filter === 'open'
            ? get().items.filter((c) => c.id !== id)
            : get().items.map((c) => (c.id === id ? updated : c)),
      });
      const shared = useSync.getState().status?.configured ?? false;
      notify('success', `Kept the ${keep} version`, shared ? 'It syncs to the team next.' : undefined);
      void useSync.getState().load();
    } catch (err) {
      reportError('Resolving the conflict', err);
      void get().load();
    } finally {
      set({ busy: null });
    }
  },
}));
