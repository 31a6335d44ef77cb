// Names for conflicted rows: the product and the showcase (gallery) a row belongs to, instead of raw
// ids. Looked up once per gallery through `showcase.get`; products and presets carry their own names.
import { create } from 'zustand';
import type { ConflictRecord } from '../../shared/index.ts';
import { bridge } from '../bridge/index.ts';
import { useCatalog } from './catalog.ts';

export interface ConflictTitle {
  /** "Oak Stool" */
  title: string;
  /** "showcase of 6 Dec 2026, 14:02 · qwen-image" */
  subtitle: string | null;
}

interface GalleryName {
  product: string;
  gallery: string;
}

interface TitlesState {
  galleries: Record<string, GalleryName | 'missing'>;
  resolve(galleryId: string): Promise<void>;
}

export const useConflictTitles = create<TitlesState>()((set, get) => ({
  galleries: {},
  async resolve(galleryId) {
    if (get().galleries[galleryId]) return;
    try {
      const s = await bridge().call('showcase.get', { galleryId });
      set({
        galleries: {
          ...get().galleries,
          [galleryId]: { product: s.product.name, gallery: galleryName(s.gallery) },
        },
      });
    } catch {
      set({ galleries: { ...get().galleries, [galleryId]: 'missing' } });
    }
  },
}));

export function galleryName(g: { createdAt: string; family: string }): string {
  const when = new Date(g.createdAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return `showcase of ${when} · ${g.family}`;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The gallery a conflicted row belongs to, when it belongs to one. */
export function conflictGalleryId(c: ConflictRecord): string | null {
  if (c.table === 'product_galleries') return c.rowId;
  const row = c.local ?? c.remote;
  return text(row?.gallery_id);
}

export function conflictTitle(c: ConflictRecord, galleries: TitlesState['galleries']): ConflictTitle {
  const row = c.local ?? c.remote;
  if (c.table === 'products') {
    return { title: text(row?.name) ?? productName(c.rowId) ?? c.rowId, subtitle: 'product details' };
  }
  if (c.table === 'prompt_presets') return { title: text(row?.name) ?? c.rowId, subtitle: 'brand preset' };
  const galleryId = conflictGalleryId(c);
  const known = galleryId ? galleries[galleryId] : undefined;
  const kind = c.table === 'assets' ? assetLabel(row) : null;
  if (known && known !== 'missing') {
    return { title: known.product, subtitle: [known.gallery, kind].filter(Boolean).join(' · ') };
  }
  const productId = text(row?.product_id);
  return {
    title: (productId && productName(productId)) ?? productId ?? 'A showcase not on this workstation',
    subtitle: kind,
  };
}

function assetLabel(row: Record<string, unknown> | null | undefined): string | null {
  const kind = text(row?.kind);
  if (!kind) return null;
  return kind === 'variation' ? `variation ${String(row?.idx ?? '')} image` : `${kind} image`;
}

function productName(productId: string): string | null {
  return useCatalog.getState().items.find((i) => i.product.id === productId)?.product.name ?? null;
}
