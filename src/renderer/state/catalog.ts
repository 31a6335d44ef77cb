// The product catalog: the list (all rows, filtered in memory so typing in search is instant even at
// 10,000 rows), the selection, sheet imports and starting showcases.
import { create } from 'zustand';
import type { CatalogListItem, ImportRowError, StartOptions } from '../../shared/index.ts';
import { type BridgeEvent, bridge } from '../bridge/index.ts';
import { type ErrorInfo, errorInfo } from './errors.ts';
import { notify, reportError } from './toasts.ts';

export interface ImportReport {
  filename: string;
  imported: number;
  errors: ImportRowError[];
  /** The whole file was refused (unreadable sheet, no name column …). */
  failure: ErrorInfo | null;
  at: number;
}

/** The list is loaded in one call; the contract caps a page at 20,000 rows. */
const PAGE = 20_000;

interface CatalogState {
  items: CatalogListItem[];
  total: number;
  loaded: boolean;
  loading: boolean;
  error: ErrorInfo | null;
  status: string;
  search: string;
  selected: ReadonlySet<string>;
  /** Last row clicked, for shift-click range selection. */
  anchor: string | null;
  importing: string | null;
  reports: ImportReport[];
  starting: boolean;

  load(): Promise<void>;
  setStatus(status: string): void;
  setSearch(search: string): void;
  toggle(productId: string, range: readonly string[] | null): void;
  setSelection(ids: Iterable<string>): void;
  importFiles(files: readonly File[]): Promise<void>;
  dismissReport(at: number): void;
  /** Starts showcases; the gallery ids, or null when the engine refused (the error is shown). */
  start(productIds: readonly string[], options?: StartOptions): Promise<string[] | null>;
  applyEvents(events: BridgeEvent[]): void;
}

let reloadTimer: ReturnType<typeof setTimeout> | null = null;

export const useCatalog = create<CatalogState>()((set, get) => {
  /** Coalesces reloads requested by events (galleries started elsewhere: CLI, n8n, another window). */
  const reloadSoon = () => {
    if (reloadTimer !== null) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      void get().load();
    }, 1500);
  };

  return {
    items: [],
    total: 0,
    loaded: false,
    loading: false,
    error: null,
    status: 'all',
    search: '',
    selected: new Set(),
    anchor: null,
    importing: null,
    reports: [],
    starting: false,

    async load() {
      set({ loading: true });
      try {
        const { items, total } = await bridge().call('catalog.list', { offset: 0, limit: PAGE });
        const ids = new Set(items.map((i) => i.product.id));
        const selected = new Set([...get().selected].filter((id) => ids.has(id)));
        set({ items, total, loaded: true, loading: false, error: null, selected });
      } catch (err) {
        set({ loading: false, loaded: true, error: errorInfo(err) });
      }
    },

    setStatus(status) {
      set({ status });
    },
    setSearch(search) {
      set({ search });
    },

    toggle(productId, range) {
      const selected = new Set(get().selected);
      if (range && range.length > 0) {
        // Shift-click: the range takes the state of the clicked row.
        const on = !selected.has(productId);
        for (const id of range) {
          if (on) selected.add(id);
          else selected.delete(id);
        }
      } else if (selected.has(productId)) selected.delete(productId);
      else selected.add(productId);
      set({ selected, anchor: productId });
    },
    setSelection(ids) {
      set({ selected: new Set(ids), anchor: null });
    },

    async importFiles(files) {
      // A new drop replaces the previous drop's reports: an old report beside a new import reads as
      // if the new sheet had those errors. Sheets dropped together still report side by side.
      set({ reports: [] });
      for (const file of files) {
        set({ importing: file.name });
        const at = Date.now();
        try {
          const content = await file.text();
          const sheetDir = bridge().folderOf?.(file);
          const result = await bridge().call('catalog.import', {
            content,
            filename: file.name,
            format: 'auto',
            ...(sheetDir ? { sheetDir } : {}),
          });
          set({
            reports: [
              {
                filename: file.name,
                imported: result.imported.length,
                errors: result.errors,
                failure: null,
                at,
              },
              ...get().reports,
            ].slice(0, 5),
          });
          notify(
            result.errors.length ? 'info' : 'success',
            `Imported ${result.imported.length} product${result.imported.length === 1 ? '' : 's'} from ${file.name}`,
            result.errors.length
              ? `${result.errors.length} row${result.errors.length === 1 ? '' : 's'} skipped — see the import report.`
              : undefined,
          );
        } catch (err) {
          const failure = errorInfo(err);
          set({
            reports: [{ filename: file.name, imported: 0, errors: [], failure, at }, ...get().reports].slice(
              0,
              5,
            ),
          });
        }
      }
      set({ importing: null });
      await get().load();
    },

    dismissReport(at) {
      set({ reports: get().reports.filter((r) => r.at !== at) });
    },

    async start(productIds, options = {}) {
      if (productIds.length === 0) return [];
      set({ starting: true });
      try {
        const { galleryIds } = await bridge().call('showcase.start', {
          productIds: [...productIds],
          ...options,
        });
        // The engine answers one gallery per product, in order: show them queued right away.
        if (galleryIds.length === productIds.length) {
          const byProduct = new Map(productIds.map((id, i) => [id, galleryIds[i] ?? null]));
          set({
            items: get().items.map((item) =>
              byProduct.has(item.product.id)
                ? { ...item, galleryId: byProduct.get(item.product.id) ?? item.galleryId, status: 'queued' }
                : item,
            ),
          });
        }
        notify(
          'success',
          `Started ${galleryIds.length} showcase${galleryIds.length === 1 ? '' : 's'}`,
          options.target === 'team' ? "Their images render on the team's GPUs." : undefined,
        );
        set({ starting: false });
        reloadSoon();
        return galleryIds;
      } catch (err) {
        set({ starting: false });
        reportError('Starting showcases', err);
        return null;
      }
    },

    applyEvents(events) {
      let items = get().items;
      let changed = false;
      let index: Map<string, number> | null = null;
      for (const e of events) {
        if (e.event !== 'showcase.updated' && e.event !== 'job.completed') continue;
        index ??= galleryIndex(items);
        const i = index.get(e.payload.galleryId);
        if (i === undefined) {
          if (e.event === 'showcase.updated' && get().loaded) reloadSoon();
          continue;
        }
        const item = items[i];
        if (!item) continue;
        let next: CatalogListItem = item;
        if (
          e.event === 'showcase.updated' &&
          (item.status !== e.payload.gallery.status ||
            item.approved !== e.payload.gallery.approved ||
            item.publishedUrl !== e.payload.gallery.publishedUrl)
        ) {
          // Approval and the published link show in the row, so they follow the gallery too.
          const g = e.payload.gallery;
          next = { ...item, status: g.status, approved: g.approved, publishedUrl: g.publishedUrl };
        } else if (
          e.event === 'job.completed' &&
          e.payload.asset?.kind === 'thumbnail' &&
          e.payload.asset.status === 'done'
        ) {
          next = { ...item, thumbnailUrl: e.payload.asset.filename };
        }
        if (next !== item) {
          if (!changed) items = [...items];
          changed = true;
          items[i] = next;
        }
      }
      if (changed) set({ items });
    },
  };
});

const indexCache = new WeakMap<CatalogListItem[], Map<string, number>>();
function galleryIndex(items: CatalogListItem[]): Map<string, number> {
  let index = indexCache.get(items);
  if (!index) {
    index = new Map();
    items.forEach((item, i) => {
      if (item.galleryId) index?.set(item.galleryId, i);
    });
    indexCache.set(items, index);
  }
  return index;
}

/** The catalog row of a gallery (O(1) after the first call per list). */
export function itemForGallery(items: CatalogListItem[], galleryId: string): CatalogListItem | undefined {
  const i = galleryIndex(items).get(galleryId);
  return i === undefined ? undefined : items[i];
}

/** Statuses shown as filters, in lifecycle order; `new` is a product without a showcase yet. */
export const statusOrder = [
  'new',
  'draft',
  'queued',
  'running',
  'partial',
  'complete',
  'failed',
  'cancelled',
] as const;

/** The status a row is filtered and shown by. */
export function rowStatus(item: CatalogListItem): string {
  if (!item.galleryId && (item.status === '' || item.status === 'none' || item.status === 'new'))
    return 'new';
  return item.status || 'new';
}

function matches(item: CatalogListItem, needle: string): boolean {
  const p = item.product;
  return (
    p.name.toLowerCase().includes(needle) ||
    p.id.toLowerCase().includes(needle) ||
    p.handle.toLowerCase().includes(needle) ||
    (p.brand?.toLowerCase().includes(needle) ?? false) ||
    (p.category?.toLowerCase().includes(needle) ?? false)
  );
}

let memo: { items: CatalogListItem[]; status: string; search: string; result: CatalogListItem[] } | null =
  null;

/** The rows after the status filter and search; memoised so scrolling never recomputes it. */
export function visibleItems(state: Pick<CatalogState, 'items' | 'status' | 'search'>): CatalogListItem[] {
  if (memo && memo.items === state.items && memo.status === state.status && memo.search === state.search)
    return memo.result;
  const needle = state.search.trim().toLowerCase();
  const result = state.items.filter(
    (item) =>
      (state.status === 'all' || rowStatus(item) === state.status) &&
      (needle === '' || matches(item, needle)),
  );
  memo = { items: state.items, status: state.status, search: state.search, result };
  return result;
}

let countMemo: { items: CatalogListItem[]; counts: Map<string, number> } | null = null;
export function statusCounts(items: CatalogListItem[]): Map<string, number> {
  if (countMemo?.items === items) return countMemo.counts;
  const counts = new Map<string, number>();
  for (const item of items) {
    const s = rowStatus(item);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  countMemo = { items, counts };
  return counts;
}
