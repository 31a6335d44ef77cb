// The contract methods of the edit loop (presets and prompts with history, stale derived images) and
// the existing methods it refines (the approval gate, prompt edits kept as versions, deleted presets
// hidden). The engine spreads these over its own handlers.
import type { MethodHandlers, PromptPreset, PromptSet, RerenderReport } from '../../../shared/index.ts';
import { assertApprovable, DerivedImages, derivedState } from '../showcase/index.ts';
import { defaultAuthor } from './author.ts';
import type { EditLoopHost } from './host.ts';
import { PresetHistory } from './presets.ts';
import { PromptHistory } from './prompts.ts';
import { affectedKinds, mergeReports, rerenderAffected } from './rerender.ts';

/** The methods only the edit loop implements. */
type EditLoopOwnMethods =
  | 'presets.get'
  | 'presets.create'
  | 'presets.update'
  | 'presets.duplicate'
  | 'presets.delete'
  | 'presets.versions'
  | 'presets.diff'
  | 'presets.rollback'
  | 'prompts.get'
  | 'prompts.update'
  | 'prompts.versions'
  | 'prompts.diff'
  | 'prompts.rollback'
  | 'showcase.derived'
  | 'showcase.resolveStale'
  | 'settings.overrides';

/** The engine's own handlers: everything but the edit loop's methods. */
export type BaseHandlers = Omit<MethodHandlers, EditLoopOwnMethods>;

export type EditLoopHandlers = Pick<
  MethodHandlers,
  | EditLoopOwnMethods
  | 'presets.list'
  | 'showcase.approve'
  | 'showcase.updateCopy'
  | 'catalog.list'
  | 'gallery.publish'
  | 'gallery.email'
>;

const NOT_ASKED: RerenderReport = { jobIds: [], assets: [], note: 'not re-rendered (not asked to)' };

export function editLoopHandlers(host: EditLoopHost, base: BaseHandlers): EditLoopHandlers {
  const presets = new PresetHistory(host.store);
  const prompts = new PromptHistory(host.store);
  const derived = new DerivedImages(host);
  const who = (author: string | undefined) => author ?? defaultAuthor();

  /** The latest finished showcase of every product that uses this preset. */
  const showcasesUsing = (presetId: string) => {
    const latest = new Map<string, string>();
    for (const g of host.store.galleries.list({ status: ['complete', 'partial'] })) {
      if (g.presetId !== presetId) continue;
      const newest = host.store.galleries.latestForProduct(g.productId);
      if (newest?.id === g.id) latest.set(g.productId, g.id);
    }
    return [...latest.values()];
  };

  const rerenderPreset = async (preset: PromptPreset, changed: string[]) => {
    const kinds = affectedKinds('preset', changed);
    if (kinds.size === 0) return { jobIds: [], assets: [], note: 'nothing that is rendered changed' };
    const reports: RerenderReport[] = [];
    for (const galleryId of showcasesUsing(preset.id)) {
      // The showcase keeps its own copy of the prefix (what its images were made with).
      if (changed.includes('prefix')) host.store.galleries.update(galleryId, { promptPrefix: preset.prefix });
      reports.push(await rerenderAffected(host, derived, galleryId, kinds));
    }
    if (reports.length === 0)
      return { jobIds: [], assets: [], note: 'no finished showcase uses this preset' };
    return mergeReports(reports);
  };

  const setPrompts = async (galleryId: string, prompts: PromptSet) => {
    // Through the engine's own copy edit, so the gallery page and events follow as for any edit.
    await base['showcase.updateCopy']({ galleryId, copy: { prompts } });
  };

  return {
    'presets.list': async () => presets.list(),
    'presets.get': async (input) => presets.resolve(input.id),
    'presets.create': async ({ author, ...draft }) => presets.create(draft, who(author)),
    'presets.update': async ({ id, author, rerender, ...changes }) => {
      const { preset, changed } = presets.update(id, changes, who(author));
      return { preset, rerender: rerender ? await rerenderPreset(preset, changed) : NOT_ASKED };
    },
    'presets.duplicate': async (input) => presets.duplicate(input.id, input.name, who(input.author)),
    'presets.delete': async (input) => ({
      id: presets.delete(input.id, who(input.author)).id,
      deleted: true,
    }),
    'presets.versions': async (input) => presets.versions(input.id),
    'presets.diff': async (input) => presets.diff(input.id, input.from, input.to),
    'presets.rollback': async (input) => {
      const { preset, changed } = presets.rollback(input.id, input.version, who(input.author));
      return { preset, rerender: input.rerender ? await rerenderPreset(preset, changed) : NOT_ASKED };
    },
    'prompts.get': async (input) => prompts.current(input.galleryId),
    'prompts.update': async (input) => {
      const before = prompts.current(input.galleryId);
      const next = { ...before, ...stripUndefined(input.prompts) };
      const { changed } = prompts.record(input.galleryId, before, next, who(input.author));
      if (changed.length > 0) await setPrompts(input.galleryId, next);
      const rerender = input.rerender
        ? await rerenderAffected(host, derived, input.galleryId, affectedKinds('prompt', changed))
        : NOT_ASKED;
      return { prompts: prompts.current(input.galleryId), rerender };
    },
    'prompts.versions': async (input) => prompts.versions(input.galleryId),
    'prompts.diff': async (input) => prompts.diff(input.galleryId, input.from, input.to),
    'prompts.rollback': async (input) => {
      const before = prompts.current(input.galleryId);
      const target = prompts.snapshot(input.galleryId, input.version);
      const { changed } = prompts.record(
        input.galleryId,
        before,
        target,
        who(input.author),
        'rollback',
        input.version,
      );
      // What differs from the images on screen is what the current prompts made, not the last version.
      const onScreen = affectedKinds('prompt', diffKeys(before, target));
      if (changed.length > 0 || onScreen.size > 0) await setPrompts(input.galleryId, target);
      const rerender = input.rerender
        ? await rerenderAffected(host, derived, input.galleryId, onScreen)
        : NOT_ASKED;
      return { prompts: prompts.current(input.galleryId), rerender };
    },
    'showcase.derived': async (input) => derived.state(input.galleryId),
    'settings.overrides': async () => host.overrides(),
    'showcase.resolveStale': async (input) => {
      const jobIds = await derived.resolve(input.galleryId, input.action);
      const gallery = host.store.galleries.get(input.galleryId);
      // Kept images are no longer stale: the JSON and the page say so from now on.
      if (input.action === 'keep' && gallery?.htmlPath && FINISHED.has(gallery.status))
        await host.recompose(input.galleryId);
      return { derived: derived.state(input.galleryId), jobIds };
    },
    'catalog.list': async (input) => {
      const page = await base['catalog.list'](input);
      const stale = host.store.edits.staleGalleries();
      if (stale.size === 0) return page;
      return {
        ...page,
        items: page.items.map((i) => (i.galleryId && stale.has(i.galleryId) ? { ...i, stale: true } : i)),
      };
    },
    'gallery.publish': async (input) => {
      const out = await base['gallery.publish'](input);
      const stale = host.store.edits.staleGalleries();
      return {
        results: out.results.map((r) =>
          stale.has(r.galleryId) ? { ...r, warning: staleWarning(host, r.galleryId) } : r,
        ),
      };
    },
    'gallery.email': async (input) => {
      const out = await base['gallery.email'](input);
      return host.store.edits.staleGalleries().has(input.galleryId)
        ? { ...out, warning: staleWarning(host, input.galleryId) }
        : out;
    },
    'showcase.approve': async (input) => {
      if (input.approved && !input.assetId) {
        const showcase = await base['showcase.get']({ galleryId: input.galleryId });
        assertApprovable(showcase, input.acceptPartial);
      }
      return base['showcase.approve'](input);
    },
    'showcase.updateCopy': async (input) => {
      // An edit of the prompts through the copy editor is a prompt version like any other.
      if (input.copy.prompts) {
        const before = prompts.current(input.galleryId);
        const next = { ...before, ...input.copy.prompts };
        prompts.record(input.galleryId, before, next, defaultAuthor());
      }
      return base['showcase.updateCopy'](input);
    },
  };
}

const FINISHED = new Set(['complete', 'partial', 'failed']);

function staleWarning(host: EditLoopHost, galleryId: string): string {
  const { stale } = derivedState(host.store, galleryId);
  const names = stale.map((s) => (s.kind === 'variation' ? `variation ${s.idx}` : s.kind));
  return `Stale set: ${names.join(', ') || 'some images'} made from an earlier hero (re-render or keep them in the Showcase)`;
}

function diffKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return Object.keys({ ...a, ...b }).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
