// The contract's method table, implemented over the engine's services. Electron IPC, the HTTP
// RPC and the CLI all call these handlers; each one validates nothing itself (the adapters parse
// the input with the contract's schema) and holds no state.
import {
  type GalleryStatus,
  type MethodHandlers,
  ShowcaseError,
  type StartOptions,
} from '../../../shared/index.ts';
import { CHANNEL_RULES, type ChannelService } from '../channels/index.ts';
import type { Scheduler } from '../jobs/index.ts';
import type { BackendPool } from '../pipeline/backends.ts';
import { type BaseHandlers, type EditLoopHost, editLoopHandlers } from '../presets/index.ts';
import {
  defaultObjectInfoPath,
  lintLibrary,
  parseObjectInfo,
  readObjectInfoFile,
} from '../templates/index.ts';
import type { BackendService } from './backends.ts';
import type { CatalogService } from './catalog.ts';
import type { EngineContext } from './context.ts';
import type { GalleryFinisher } from './galleries.ts';
import type { PublishService } from './publishing.ts';
import type { ShowcaseService } from './showcases.ts';
import type { SyncController } from './sync-controller.ts';
import type { TeamService } from './team.ts';

export interface HandlerServices {
  catalog: CatalogService;
  showcases: ShowcaseService;
  finisher: GalleryFinisher;
  publishing: PublishService;
  channels: ChannelService;
  sync: SyncController;
  backends: BackendService;
  team: TeamService;
  pool: BackendPool;
  scheduler: Pick<Scheduler<unknown>, 'pause' | 'resume' | 'cancel'>;
  objectInfoPath: string | undefined;
  /** The engine's event stream (the edit loop follows finished jobs). */
  subscribe: EditLoopHost['subscribe'];
  /** Settings fixed by this process (command-line flags), and why. */
  overrides: { fields: string[]; reason: string | null };
}

/**
 * The whole contract: the engine's own handlers, refined and completed by the edit loop (issue #19:
 * presets and prompts with history, stale derived images, the approval gate).
 */
export function createHandlers(ctx: EngineContext, s: HandlerServices): MethodHandlers {
  const base = baseHandlers(ctx, s);
  const host: EditLoopHost = {
    store: ctx.store,
    regenerate: (assetId, seed) => s.showcases.regenerate(assetId, seed),
    subscribe: s.subscribe,
    emit: (event, payload) => ctx.emit(event, payload),
    log: (line) => ctx.log(line),
    recompose: (galleryId) => s.finisher.finish(galleryId),
    overrides: () => s.overrides,
  };
  return { ...base, ...editLoopHandlers(host, base) };
}

const TERMINAL: ReadonlySet<GalleryStatus> = new Set(['complete', 'partial', 'failed', 'cancelled']);

function baseHandlers(ctx: EngineContext, s: HandlerServices): BaseHandlers {
  const { store } = ctx;
  return {
    'catalog.import': async (input) => {
      const r = s.catalog.importSheet(input.content, input.filename, input.format, input.sheetDir, {
        ...(input.currency ? { currency: input.currency } : {}),
        ...(input.language ? { language: input.language } : {}),
      });
      return { imported: r.imported, errors: r.errors, warnings: r.warnings };
    },
    'catalog.add': async (input) => s.catalog.addProducts(input.products),
    'catalog.list': async (input) => s.catalog.list(input),
    'showcase.start': async ({ productIds, ...options }) => ({
      galleryIds: await s.showcases.start(productIds, startOptions(options)),
    }),
    'showcase.get': async (input) => s.showcases.showcase(input.galleryId),
    'showcase.regenerateAsset': async (input) => ({
      jobId: await s.showcases.regenerate(input.assetId, input.seed),
    }),
    'showcase.updateCopy': async (input) => {
      const { gallery } = s.showcases.showcase(input.galleryId);
      if (!gallery.copy) throw new ShowcaseError('conflict', 'This showcase has no copy yet');
      const copy = { ...gallery.copy, ...stripUndefined(input.copy), source: 'edited' as const };
      const updated = store.galleries.update(gallery.id, { copy });
      ctx.emit('showcase.updated', { galleryId: gallery.id, gallery: updated });
      if (TERMINAL.has(updated.status) && updated.htmlPath) await s.finisher.finish(gallery.id);
      s.sync.changed();
      return store.galleries.get(gallery.id) ?? updated;
    },
    'showcase.lockSeed': async (input) => {
      const { gallery, assets } = s.showcases.showcase(input.galleryId);
      store.transaction(() => {
        if (input.assetId) {
          if (!assets.some((a) => a.id === input.assetId))
            throw new ShowcaseError('not_found', `Asset ${input.assetId} is not in this showcase`);
          store.assets.update(input.assetId, { seedLocked: input.locked });
        } else {
          store.galleries.update(gallery.id, { seedLocked: input.locked });
          for (const a of assets) store.assets.update(a.id, { seedLocked: input.locked });
        }
      });
      return s.showcases.showcase(gallery.id);
    },
    'showcase.approve': async (input) => {
      const { gallery, assets } = s.showcases.showcase(input.galleryId);
      if (input.assetId) {
        const asset = assets.find((a) => a.id === input.assetId);
        if (!asset) throw new ShowcaseError('not_found', `Asset ${input.assetId} is not in this showcase`);
        if (input.approved && asset.status !== 'done')
          throw new ShowcaseError('conflict', 'Only a rendered image can be approved');
        store.assets.update(asset.id, { approved: input.approved });
      } else {
        const updated = store.galleries.update(gallery.id, { approved: input.approved });
        ctx.emit('showcase.updated', { galleryId: gallery.id, gallery: updated });
      }
      return s.showcases.showcase(gallery.id);
    },
    'queue.status': async () => {
      await s.backends.refresh();
      return s.backends.queueStatus();
    },
    'queue.pause': async () => {
      s.scheduler.pause();
      return s.backends.queueStatus();
    },
    'queue.resume': async () => {
      s.scheduler.resume();
      return s.backends.queueStatus();
    },
    'queue.cancel': async (input) => {
      if (!input.jobId && !input.galleryId)
        throw new ShowcaseError('invalid_input', 'Give a jobId or a galleryId', {
          details: { fields: ['jobId'] },
        });
      return { cancelled: s.scheduler.cancel(stripUndefined(input)) };
    },
    'presets.list': async () => store.presets.list(),
    'templates.list': async (input) => ctx.templates.list(input.family),
    'templates.lint': async (input) => {
      if (input.live) {
        const backend = s.pool.comfy[0];
        if (!backend) throw new ShowcaseError('invalid_input', 'No ComfyUI server configured');
        const info = parseObjectInfo(await backend.client.objectInfo());
        return { issues: lintLibrary(ctx.templates, info), source: backend.url };
      }
      const path = s.objectInfoPath ?? defaultObjectInfoPath();
      return { issues: lintLibrary(ctx.templates, await readObjectInfoFile(path)), source: path };
    },
    'gallery.publish': async (input) => ({
      results: (await s.publishing.publish(input.galleryIds)).map(
        ({ galleryId, url, access, uploaded, skipped, expiresAt, indexUrl }) => ({
          galleryId,
          url,
          access,
          uploaded,
          skipped,
          expiresAt,
          indexUrl,
        }),
      ),
    }),
    'channels.rules': async () =>
      Object.values(CHANNEL_RULES).map((r) => ({
        channel: r.name,
        label: r.label,
        frame: r.recommended,
        whiteMain: r.main.whiteBackground,
        sources: [...r.sources],
      })),
    'channels.export': async (input) =>
      s.channels.export({
        ...(input.galleryIds ? { galleryIds: input.galleryIds } : {}),
        all: input.all === true,
        channels: input.channels,
        render: input.render,
      }),
    'channels.report': async (input) => s.channels.report(input.galleryId),
    'catalog.exportShopify': async (input) => s.publishing.exportShopify(input),
    'gallery.email': async (input) => s.publishing.email(input.galleryId, input.to),
    'sync.status': async () => s.sync.status(),
    'team.status': async () => s.team.status(),
    'sync.now': async () => s.sync.now(),
    'sync.conflicts': async (input) => s.sync.conflicts(input),
    'sync.resolveConflict': async (input) => s.sync.resolveConflict(input.conflictId, input.keep),
    'settings.get': async () => s.backends.settings(),
    'settings.update': async (input) => s.backends.updateSettings(input),
    'showcase.submit': async (input) =>
      s.showcases.submit({ ...input, options: startOptions(input.options) }, s.catalog),
    'models.preflight': async (input) => s.showcases.modelReport(input.family),
    'showcase.rerun': async (input) => {
      // Rendering the failed part while a run of the same products is unfinished would race it.
      const latest = store.products.latestGalleryIds().map((g) => store.galleries.get(g)?.productId ?? '');
      const unfinished = s.showcases.unfinishedRun(input.productIds ?? latest);
      if (unfinished.galleryIds.length > 0) {
        throw new ShowcaseError(
          'conflict',
          `${unfinished.galleryIds.length} showcase(s) are still unfinished in the journal`,
          { hint: 'Finish them first: showcase generate <sheet> --resume', details: { ...unfinished } },
        );
      }
      return { galleryIds: await s.showcases.rerunFailed(input.productIds) };
    },
  };
}

/** Contract input → the engine's start options (absent fields stay absent). */
export function startOptions(input: StartOptions): StartOptions {
  return stripUndefined(input);
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
