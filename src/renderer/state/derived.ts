// Which images of the open showcase were made from an earlier hero (stale), and the operator's one
// click: re-render them from the new hero, or keep them. Refreshed when the gallery's images change.
import { create } from 'zustand';
import type { DerivedState } from '../../shared/index.ts';
import { type BridgeEvent, bridge } from '../bridge/index.ts';
import { useCatalog } from './catalog.ts';
import { notify, reportError } from './toasts.ts';

interface DerivedStore {
  galleryId: string | null;
  state: DerivedState | null;
  busy: 'rerender' | 'keep' | null;
  load(galleryId: string): Promise<void>;
  resolve(action: 'rerender' | 'keep'): Promise<void>;
  applyEvents(events: BridgeEvent[]): void;
}

/** The catalog row of the gallery says "stale set" exactly while the Showcase does. */
function markCatalogRow(galleryId: string, stale: boolean): void {
  const { items } = useCatalog.getState();
  const i = items.findIndex((item) => item.galleryId === galleryId);
  const item = items[i];
  if (!item || (item.stale === true) === stale) return;
  useCatalog.setState({ items: items.with(i, { ...item, stale }) });
}

export const useDerived = create<DerivedStore>()((set, get) => ({
  galleryId: null,
  state: null,
  busy: null,
  async load(galleryId) {
    if (get().galleryId !== galleryId) set({ galleryId, state: null });
    try {
      const state = await bridge().call('showcase.derived', { galleryId });
      if (get().galleryId === galleryId) set({ state });
      markCatalogRow(galleryId, state.stale.length > 0);
    } catch {
      // Stale marks are extra information: the showcase itself still shows (and says its own errors).
    }
  },
  async resolve(action) {
    const galleryId = get().galleryId;
    if (!galleryId || get().busy) return;
    set({ busy: action });
    try {
      const r = await bridge().call('showcase.resolveStale', { galleryId, action });
      set({ state: r.derived });
      markCatalogRow(galleryId, r.derived.stale.length > 0);
      notify(
        'success',
        action === 'keep'
          ? 'Kept the variations'
          : `Re-rendering ${r.jobIds.length} image(s) from the new hero`,
      );
    } catch (err) {
      reportError(action === 'keep' ? 'Keeping the images' : 'Re-rendering the images', err);
    } finally {
      set({ busy: null });
    }
  },
  applyEvents(events) {
    const galleryId = get().galleryId;
    if (!galleryId) return;
    const touched = events.some(
      (e) =>
        (e.event === 'job.completed' || e.event === 'showcase.updated') &&
        'galleryId' in e.payload &&
        e.payload.galleryId === galleryId,
    );
    if (touched) void get().load(galleryId);
  },
}));
