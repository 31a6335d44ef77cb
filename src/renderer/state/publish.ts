// Publishing galleries to S3 and sending e-mail packs. Galleries are published one call each so the
// operator sees progress through a selection and one failure does not hide the others.
import { create } from 'zustand';
import type { MethodOutput } from '../../shared/index.ts';
import { bridge } from '../bridge/index.ts';
import { type ErrorInfo, errorInfo } from './errors.ts';
import { notify } from './toasts.ts';

export type PublishResult = MethodOutput<'gallery.publish'>['results'][number];
export type EmailResult = MethodOutput<'gallery.email'>;

export interface PublishEntry {
  state: 'waiting' | 'publishing' | 'done' | 'failed';
  result: PublishResult | null;
  error: ErrorInfo | null;
}

interface PublishState {
  entries: Readonly<Record<string, PublishEntry>>;
  batch: { total: number; done: number; failed: number } | null;
  selected: ReadonlySet<string>;
  toggle(galleryId: string): void;
  setSelection(ids: Iterable<string>): void;
  publish(galleryIds: readonly string[]): Promise<void>;
  email(galleryId: string, to: string[]): Promise<EmailResult>;
}

const CONCURRENCY = 2;

export const usePublish = create<PublishState>()((set, get) => {
  const put = (galleryId: string, entry: PublishEntry) =>
    set({ entries: { ...get().entries, [galleryId]: entry } });

  return {
    entries: {},
    batch: null,
    selected: new Set(),
    toggle(galleryId) {
      const selected = new Set(get().selected);
      if (selected.has(galleryId)) selected.delete(galleryId);
      else selected.add(galleryId);
      set({ selected });
    },
    setSelection(ids) {
      set({ selected: new Set(ids) });
    },

    async publish(galleryIds) {
      const ids = galleryIds.filter((id) => get().entries[id]?.state !== 'publishing');
      if (ids.length === 0) return;
      for (const id of ids)
        put(id, { state: 'waiting', result: get().entries[id]?.result ?? null, error: null });
      set({ batch: { total: ids.length, done: 0, failed: 0 } });
      const queue = [...ids];
      const worker = async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          put(id, { state: 'publishing', result: get().entries[id]?.result ?? null, error: null });
          try {
            const { results } = await bridge().call('gallery.publish', { galleryIds: [id] });
            put(id, {
              state: 'done',
              result: results.find((r) => r.galleryId === id) ?? results[0] ?? null,
              error: null,
            });
            const b = get().batch;
            if (b) set({ batch: { ...b, done: b.done + 1 } });
          } catch (err) {
            put(id, { state: 'failed', result: null, error: errorInfo(err) });
            const b = get().batch;
            if (b) set({ batch: { ...b, done: b.done + 1, failed: b.failed + 1 } });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));
      const b = get().batch;
      if (b) {
        notify(
          b.failed ? 'error' : 'success',
          b.failed
            ? `Published ${b.total - b.failed} of ${b.total}`
            : `Published ${b.total} galler${b.total === 1 ? 'y' : 'ies'}`,
          b.failed ? 'See the failed rows for what to do.' : undefined,
        );
      }
      set({ batch: null });
    },

    email(galleryId, to) {
      return bridge().call('gallery.email', { galleryId, to });
    },
  };
});
