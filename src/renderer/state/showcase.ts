// The open showcase: product, gallery, seven asset slots and the operator's copy draft. Live events
// patch it in place; the draft is never overwritten while it has unsaved edits.
import { create } from 'zustand';
import type { Asset, AssetStatus, CopyDraft, Gallery, Showcase, ShowcaseCopy } from '../../shared/index.ts';
import { type BridgeEvent, bridge } from '../bridge/index.ts';
import { type ErrorInfo, errorFields, errorInfo } from './errors.ts';
import { resetSlot, slotJobId } from './live.ts';
import { notify, reportError } from './toasts.ts';

export type CopyField = 'title' | 'tagline' | 'bullets' | 'description' | 'prompts';
const COPY_FIELDS: readonly CopyField[] = ['title', 'tagline', 'bullets', 'description', 'prompts'];

interface ShowcaseState {
  galleryId: string | null;
  data: Showcase | null;
  loading: boolean;
  error: ErrorInfo | null;
  draft: CopyDraft | null;
  dirty: boolean;
  saving: boolean;
  savedAt: number | null;
  /** Field paths refused by validation (`title`, `bullets.2`, `prompts.hero` …). */
  fieldErrors: string[];
  /** In-flight actions by key (`lock:<assetId>`, `regen:<assetId>`, `lock-all`, `approve` …). */
  busy: Readonly<Record<string, true>>;

  open(galleryId: string): Promise<void>;
  refresh(): Promise<void>;
  editDraft(patch: Partial<CopyDraft>): void;
  discardDraft(): void;
  saveCopy(): Promise<void>;
  lockSeed(assetId: string | null, locked: boolean): Promise<void>;
  regenerate(assetId: string, seed: 'same' | 'new'): Promise<void>;
  approve(approved: boolean, assetId?: string, acceptPartial?: boolean): Promise<void>;
  applyEvents(events: BridgeEvent[]): void;
}

function draftOf(copy: ShowcaseCopy | null): CopyDraft | null {
  if (copy === null) return null;
  return {
    title: copy.title,
    tagline: copy.tagline,
    bullets: [...copy.bullets],
    description: copy.description,
    prompts: { ...copy.prompts, variations: [...copy.prompts.variations] },
  };
}

/** Only the fields the operator changed are sent (the rest may have been rewritten by the LLM meanwhile). */
function changedFields(draft: CopyDraft, base: CopyDraft | null): Partial<CopyDraft> {
  const out: Partial<CopyDraft> = {};
  for (const field of COPY_FIELDS) {
    if (base === null || JSON.stringify(draft[field]) !== JSON.stringify(base[field])) {
      (out as Record<CopyField, unknown>)[field] = draft[field];
    }
  }
  return out;
}

const ACTIVE_GALLERY: ReadonlySet<string> = new Set(['queued', 'running']);
const UNFINISHED_ASSET: ReadonlySet<string> = new Set(['pending', 'queued', 'running']);

export const useShowcase = create<ShowcaseState>()((set, get) => {
  const withBusy = async (key: string, action: () => Promise<void>) => {
    if (get().busy[key]) return;
    set({ busy: { ...get().busy, [key]: true } });
    try {
      await action();
    } finally {
      const busy = { ...get().busy };
      delete busy[key];
      set({ busy });
    }
  };
  const replaceData = (data: Showcase) => {
    if (data.gallery.id !== get().galleryId) return;
    const dirty = get().dirty;
    set({ data, ...(dirty ? {} : { draft: draftOf(data.gallery.copy) }) });
  };
  const patchAsset = (assetId: string, patch: (asset: Asset) => Asset) => {
    const data = get().data;
    if (!data) return;
    set({ data: { ...data, assets: data.assets.map((a) => (a.id === assetId ? patch(a) : a)) } });
  };

  return {
    galleryId: null,
    data: null,
    loading: false,
    error: null,
    draft: null,
    dirty: false,
    saving: false,
    savedAt: null,
    fieldErrors: [],
    busy: {},

    async open(galleryId) {
      if (get().galleryId === galleryId && get().data) return get().refresh();
      set({
        galleryId,
        data: null,
        draft: null,
        dirty: false,
        error: null,
        fieldErrors: [],
        savedAt: null,
        loading: true,
      });
      await get().refresh();
    },

    async refresh() {
      const galleryId = get().galleryId;
      if (!galleryId) return;
      set({ loading: true });
      try {
        const data = await bridge().call('showcase.get', { galleryId });
        if (get().galleryId !== galleryId) return;
        set({ loading: false, error: null });
        replaceData(data);
      } catch (err) {
        if (get().galleryId === galleryId) set({ loading: false, error: errorInfo(err) });
      }
    },

    editDraft(patch) {
      const draft = get().draft;
      if (!draft) return;
      const fieldErrors = get().fieldErrors.filter(
        (f) => !Object.keys(patch).some((k) => f === k || f.startsWith(`${k}.`)),
      );
      set({ draft: { ...draft, ...patch }, dirty: true, fieldErrors });
    },

    discardDraft() {
      set({ draft: draftOf(get().data?.gallery.copy ?? null), dirty: false, fieldErrors: [] });
    },

    async saveCopy() {
      const { draft, data, galleryId } = get();
      if (!draft || !data || !galleryId) return;
      const copy = changedFields(draft, draftOf(data.gallery.copy));
      if (Object.keys(copy).length === 0) {
        set({ dirty: false });
        return;
      }
      set({ saving: true, fieldErrors: [] });
      try {
        const gallery = await bridge().call('showcase.updateCopy', { galleryId, copy });
        const current = get().data;
        if (current && current.gallery.id === gallery.id) {
          set({
            data: { ...current, gallery },
            draft: draftOf(gallery.copy),
            dirty: false,
            saving: false,
            savedAt: Date.now(),
          });
        } else set({ saving: false });
      } catch (err) {
        // `showcase.updateCopy.copy.bullets.2` → `bullets.2`
        const fields = errorFields(err).map((f) => f.replace(/^(showcase\.updateCopy\.)?copy\./, ''));
        set({ saving: false, fieldErrors: fields });
        reportError('Saving the copy', err);
      }
    },

    async lockSeed(assetId, locked) {
      const galleryId = get().galleryId;
      if (!galleryId) return;
      await withBusy(assetId ? `lock:${assetId}` : 'lock-all', async () => {
        try {
          const data = await bridge().call('showcase.lockSeed', {
            galleryId,
            locked,
            ...(assetId ? { assetId } : {}),
          });
          replaceData(data);
        } catch (err) {
          reportError(locked ? 'Locking the seed' : 'Unlocking the seed', err);
        }
      });
    },

    async regenerate(assetId, seed) {
      await withBusy(`regen:${assetId}`, async () => {
        try {
          const { jobId } = await bridge().call('showcase.regenerateAsset', { assetId, seed });
          // The event stream races this reply: when the new job's events are already applied they are
          // newer than "queued" (a fast render may even be done), so they must not be overwritten.
          if (slotJobId(assetId) === jobId) return;
          resetSlot(assetId);
          patchAsset(assetId, (a) => ({ ...a, status: 'queued', error: null }));
        } catch (err) {
          reportError('Regenerating the image', err);
        }
      });
    },

    async approve(approved, assetId, acceptPartial) {
      const galleryId = get().galleryId;
      if (!galleryId) return;
      await withBusy(assetId ? `approve:${assetId}` : 'approve', async () => {
        try {
          const data = await bridge().call('showcase.approve', {
            galleryId,
            approved,
            ...(assetId ? { assetId } : {}),
            ...(acceptPartial ? { acceptPartial } : {}),
          });
          replaceData(data);
          if (!assetId) notify('success', approved ? 'Showcase approved' : 'Approval withdrawn');
        } catch (err) {
          reportError(approved ? 'Approving' : 'Withdrawing the approval', err);
        }
      });
    },

    applyEvents(events) {
      const galleryId = get().galleryId;
      let data = get().data;
      if (!galleryId || !data) return;
      let gallery: Gallery | null = null;
      let assets = data.assets;
      const setStatus = (assetId: string | null, status: AssetStatus, error?: string) => {
        if (assetId === null) return;
        const i = assets.findIndex((a) => a.id === assetId);
        const asset = assets[i];
        if (!asset || (asset.status === status && (error === undefined || asset.error === error))) return;
        assets = assets.with(i, { ...asset, status, ...(error === undefined ? {} : { error }) });
      };
      for (const e of events) {
        if (!('galleryId' in e.payload) || e.payload.galleryId !== galleryId) continue;
        switch (e.event) {
          case 'showcase.updated':
            gallery = e.payload.gallery;
            break;
          case 'job.queued':
            setStatus(e.payload.assetId, 'queued');
            break;
          case 'job.started':
          case 'job.progress':
            setStatus(e.payload.assetId, 'running');
            break;
          case 'job.completed': {
            const asset = e.payload.asset;
            if (asset) assets = assets.map((a) => (a.id === asset.id ? asset : a));
            else setStatus(e.payload.assetId, 'done');
            break;
          }
          case 'job.failed':
            if (!e.payload.willRetry) setStatus(e.payload.assetId, 'failed', e.payload.error);
            break;
          default:
            break;
        }
      }
      if (gallery === null && assets === data.assets) return;
      data = { ...data, assets, ...(gallery ? { gallery } : {}) };
      const dirty = get().dirty;
      set({ data, ...(gallery && !dirty ? { draft: draftOf(gallery.copy) } : {}) });
      // A settled gallery with slots still shown as unfinished: the engine ended those jobs without a
      // job event (a cancel journals them as failed "cancelled"), so the slots are read again.
      const settled = gallery !== null && !ACTIVE_GALLERY.has(gallery.status);
      if (settled && assets.some((a) => UNFINISHED_ASSET.has(a.status))) void get().refresh();
    },
  };
});

/** Canonical slot order: hero, lifestyle, variations by index, thumbnail. */
const KIND_ORDER: Record<Asset['kind'], number> = { hero: 0, lifestyle: 1, variation: 2, thumbnail: 3 };
export function orderedAssets(assets: readonly Asset[]): Asset[] {
  return [...assets].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.idx - b.idx);
}

/** `slot-hero`, `slot-variation-2` … : the test id and the human label of a slot. */
export function slotKey(asset: Pick<Asset, 'kind' | 'idx'>): string {
  return asset.kind === 'variation' ? `variation-${asset.idx}` : asset.kind;
}
export function slotLabel(asset: Pick<Asset, 'kind' | 'idx'>): string {
  switch (asset.kind) {
    case 'hero':
      return 'Hero';
    case 'lifestyle':
      return 'Lifestyle';
    case 'thumbnail':
      return 'Thumbnail';
    case 'variation':
      return `Variation ${asset.idx}`;
  }
}
